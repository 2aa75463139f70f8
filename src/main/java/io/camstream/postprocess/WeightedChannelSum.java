package io.camstream.postprocess;

/** map[p] = sum_c weights[c] * activations[c, p]: the class-activation map before ReLU. */
public final class WeightedChannelSum {
    private WeightedChannelSum() {
    }

    /**
     * @param a       activations, one input's (C, h*w) block starting at {@code offset}
     * @param weights C channel weights
     * @param out     h*w values, overwritten
     */
    public static void compute(float[] a, int offset, float[] weights, int channels, int pixels, float[] out) {
        java.util.Arrays.fill(out, 0, pixels, 0f);
        for (int c = 0; c < channels; c++) {
            float wc = weights[c];
            if (wc == 0f) continue;
            int base = offset + c * pixels;
            for (int p = 0; p < pixels; p++) out[p] += wc * a[base + p];
        }
    }
}
