package io.camstream.cli;

import io.camstream.explain.NonSpatialLayerException;
import io.camstream.image.Preprocessing;
import io.camstream.model.LayerCatalog;
import io.camstream.model.LayerInfo;
import io.camstream.model.TorchModel;

import java.io.PrintStream;

/**
 * The layer to explain: the one asked for, the config's, or the model's last spatial layer (said aloud). A layer
 * with no spatial output at this input size is refused: its map would be one value, drawn as a flat image.
 */
final class LayerChoice {
    /** The input size at which a default layer is compared when none is configured: the common ImageNet one. */
    static final int REFERENCE_SIZE = 224;

    private LayerChoice() {
    }

    /**
     * @param configSize   the config's input size, or null
     * @param tokenReshape whether {@code --reshape} turns token outputs {@code (N, T, C)} into a grid (then a token layer has a map)
     */
    static String resolve(String asked, String fromConfig, TorchModel model, Preprocessing p, Integer configSize, boolean tokenReshape,
                          PrintStream log) {
        String named = asked != null ? asked : fromConfig;
        if (named != null) {
            model.requireLayer(named);
            requireSpatial(named, LayerCatalog.of(model, 3, p.height(), p.width()), p, tokenReshape);
            return named;
        }
        String layer = LayerCatalog.of(model, 3, p.height(), p.width()).defaultLayer();
        log.println("camstream: no --layer given; using '" + layer + "', the last layer with a spatial output");
        int reference = configSize != null ? configSize : REFERENCE_SIZE;
        if (p.height() != reference || p.width() != reference) {
            String usual = LayerCatalog.of(model, 3, reference, reference).defaultLayer();
            if (!usual.equals(layer)) {
                log.printf("camstream: note: at input size %dx%d that is '%s', not '%s' as at %dx%d (its output has no spatial grid at this size); "
                        + "give --layer to choose, or a larger --size%n", p.height(), p.width(), layer, usual, reference, reference);
            }
        }
        return layer;
    }

    private static void requireSpatial(String layer, LayerCatalog catalog, Preprocessing p, boolean tokenReshape) {
        LayerInfo info = catalog.find(layer);
        if (info == null || info.isSpatial()) return; // not called by forward: the capture says so
        if (tokenReshape && info.isTokens()) return; // --reshape gives it a grid
        String hint;
        try {
            hint = "; try --layer " + catalog.defaultLayer() + ", the last one that has";
        } catch (RuntimeException none) {
            hint = "";
        }
        throw new NonSpatialLayerException("layer '" + layer + "' outputs " + info.shapeText() + " at input size " + p.height() + "x" + p.width()
                + ", which has no spatial (h, w) grid to map" + hint + " (`camstream layers` marks such layers \"no spatial map\")");
    }
}
