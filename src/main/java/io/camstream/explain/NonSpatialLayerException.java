package io.camstream.explain;

import io.camstream.CamstreamException;

/** The chosen layer's output has no spatial (h, w) dimensions, so no map can be drawn from it. */
public class NonSpatialLayerException extends CamstreamException {
    public NonSpatialLayerException(String message) {
        super(message);
    }
}
