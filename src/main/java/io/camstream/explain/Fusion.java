package io.camstream.explain;

import io.camstream.InvalidInputException;

import java.util.Locale;

/** How the maps of several layers become one: each is ReLU'd, resized and normalised to [0, 1] first. */
public enum Fusion {
    /** pytorch-grad-cam's aggregation of several target layers. */
    MEAN,
    MAX;

    public static Fusion parse(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidInputException("--fuse must be mean or max, got '" + name + "'");
        }
    }

    void combine(float[] acc, float[] next, int offset, int length, int layersSoFar) {
        for (int i = offset; i < offset + length; i++) {
            if (this == MAX) acc[i] = Math.max(acc[i], next[i]);
            else acc[i] += (next[i] - acc[i]) / (layersSoFar + 1);
        }
    }
}
