package io.camstream.postprocess;

/** In-place (x - min) / (max - min) over one map; all zeros when the map is constant. */
public final class MinMaxNormalisation {
    private MinMaxNormalisation() {
    }

    public static void apply(float[] x, int offset, int length) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = offset, end = offset + length; i < end; i++) {
            float v = x[i];
            if (v < min) min = v;
            if (v > max) max = v;
        }
        float range = max - min;
        if (!(range > 0f)) {
            java.util.Arrays.fill(x, offset, offset + length, 0f);
            return;
        }
        for (int i = offset, end = offset + length; i < end; i++) x[i] = (x[i] - min) / range;
    }
}
