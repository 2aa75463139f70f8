package io.camstream.postprocess;

/**
 * Bilinear resampling with half-pixel centres: the same sampling as torch's
 * {@code interpolate(mode="bilinear", align_corners=False)} (no antialias) and OpenCV's {@code INTER_LINEAR}.
 * Source coordinate of output pixel d is {@code (d + 0.5) * in / out - 0.5}, clamped at 0 below and to the last
 * pixel above.
 */
public final class BilinearResize {
    private BilinearResize() {
    }

    public static void resize(float[] src, int srcOffset, int h, int w, float[] dst, int dstOffset, int outH, int outW) {
        int[] y0 = new int[outH];
        int[] y1 = new int[outH];
        float[] ly = new float[outH];
        axis(h, outH, y0, y1, ly);
        int[] x0 = new int[outW];
        int[] x1 = new int[outW];
        float[] lx = new float[outW];
        axis(w, outW, x0, x1, lx);
        for (int oy = 0; oy < outH; oy++) {
            int r0 = srcOffset + y0[oy] * w;
            int r1 = srcOffset + y1[oy] * w;
            float wy1 = ly[oy];
            int o = dstOffset + oy * outW;
            for (int ox = 0; ox < outW; ox++) {
                dst[o + ox] = lerp2(wy1, lx[ox], src[r0 + x0[ox]], src[r0 + x1[ox]], src[r1 + x0[ox]], src[r1 + x1[ox]]);
            }
        }
    }

    /**
     * Bilinear blend of four neighbours, as {@code a + t (b - a)} along x then y: equal neighbours give exactly their
     * value, so a constant map stays constant (and normalises to zeros) instead of picking up rounding noise.
     * The CUDA kernels ({@code cs_lerp2}) evaluate the same expression in the same order.
     */
    public static float lerp2(float wy1, float wx1, float v00, float v01, float v10, float v11) {
        float top = v00 + wx1 * (v01 - v00);
        float bottom = v10 + wx1 * (v11 - v10);
        return top + wy1 * (bottom - top);
    }

    /** Per output index: the two source indices and the weight of the second. */
    public static void axis(int in, int out, int[] i0, int[] i1, float[] lambda) {
        float scale = (float) in / out;
        for (int d = 0; d < out; d++) {
            float s = scale * (d + 0.5f) - 0.5f;
            if (s < 0f) s = 0f;
            int a = (int) s;
            if (a > in - 1) a = in - 1;
            i0[d] = a;
            i1[d] = a < in - 1 ? a + 1 : a;
            lambda[d] = s - a;
        }
    }

    /**
     * Bilinear resampling with {@code align_corners=True} (torch's {@code UpsamplingBilinear2d}, which ScoreCAM's masks
     * use in pytorch-grad-cam): output pixel d samples source coordinate {@code d * (in - 1) / (out - 1)}.
     */
    public static void resizeAlignCorners(float[] src, int srcOffset, int h, int w, float[] dst, int dstOffset, int outH, int outW) {
        int[] y0 = new int[outH];
        int[] y1 = new int[outH];
        float[] ly = new float[outH];
        alignedAxis(h, outH, y0, y1, ly);
        int[] x0 = new int[outW];
        int[] x1 = new int[outW];
        float[] lx = new float[outW];
        alignedAxis(w, outW, x0, x1, lx);
        for (int oy = 0; oy < outH; oy++) {
            int r0 = srcOffset + y0[oy] * w;
            int r1 = srcOffset + y1[oy] * w;
            float wy1 = ly[oy];
            float wy0 = 1f - wy1;
            int o = dstOffset + oy * outW;
            for (int ox = 0; ox < outW; ox++) {
                float wx1 = lx[ox];
                float wx0 = 1f - wx1;
                dst[o + ox] = wy0 * (wx0 * src[r0 + x0[ox]] + wx1 * src[r0 + x1[ox]])
                        + wy1 * (wx0 * src[r1 + x0[ox]] + wx1 * src[r1 + x1[ox]]);
            }
        }
    }

    static void alignedAxis(int in, int out, int[] i0, int[] i1, float[] lambda) {
        float scale = out > 1 ? (float) (in - 1) / (out - 1) : 0f;
        for (int d = 0; d < out; d++) {
            float s = scale * d;
            int a = Math.min((int) s, in - 1);
            i0[d] = a;
            i1[d] = a < in - 1 ? a + 1 : a;
            lambda[d] = s - a;
        }
    }
}
