package io.camstream.model;

import io.camstream.CamstreamException;

import java.util.List;

/** A layer path that is not a submodule of the model; the message lists the valid ones. */
public class UnknownLayerException extends CamstreamException {
    private final String layer;
    private final List<String> validLayers;

    public UnknownLayerException(String layer, List<String> validLayers) {
        super("unknown layer '" + layer + "'; valid layers: " + String.join(", ", validLayers));
        this.layer = layer;
        this.validLayers = List.copyOf(validLayers);
    }

    public String layer() {
        return layer;
    }

    public List<String> validLayers() {
        return validLayers;
    }
}
