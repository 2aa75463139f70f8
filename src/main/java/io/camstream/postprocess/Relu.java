package io.camstream.postprocess;

/** In-place max(x, 0). */
public final class Relu {
    private Relu() {
    }

    public static void apply(float[] x, int offset, int length) {
        for (int i = offset, end = offset + length; i < end; i++) {
            if (!(x[i] > 0f)) x[i] = 0f; // also maps NaN to 0 rather than letting it spread through normalisation
        }
    }
}
