package io.camstream.cli;

import io.camstream.image.Preprocessing;
import io.camstream.model.LayerCatalog;
import io.camstream.model.TorchModel;

import java.io.PrintStream;

/** The layer to explain: the one asked for, the config's, or the model's last spatial layer (said aloud). */
final class LayerChoice {
    private LayerChoice() {
    }

    static String resolve(String asked, String fromConfig, TorchModel model, Preprocessing p, PrintStream log) {
        if (asked != null) {
            model.requireLayer(asked);
            return asked;
        }
        if (fromConfig != null) {
            model.requireLayer(fromConfig);
            return fromConfig;
        }
        String layer = LayerCatalog.of(model, 3, p.height(), p.width()).defaultLayer();
        log.println("camstream: no --layer given; using '" + layer + "', the last layer with a spatial output");
        return layer;
    }
}
