package io.camstream.image;

import io.camstream.InvalidInputException;
import io.camstream.postprocess.BilinearResize;
import io.camstream.tensor.FloatTensor;

/**
 * uint8 HWC frames to a normalised NCHW float tensor, in float arithmetic that does not depend on OpenCV's build.
 *
 * <p>Bilinear resize with half-pixel centres computed in float on the uint8 values (OpenCV {@code INTER_LINEAR}
 * geometry without its 8-bit fixed-point rounding, no antialias; same sampling as {@link BilinearResize}), then
 * {@code x / 255}, then {@code (x - mean[k]) / std[k]} per RGB channel k. BGR frames are read as RGB.
 */
public final class FramePreprocessing {
    private FramePreprocessing() {
    }

    /** One tightly packed (h, w, 3) frame to a (1, 3, outH, outW) tensor. */
    public static FloatTensor toTensor(byte[] hwc, int h, int w, boolean bgr, int outH, int outW, float[] mean, float[] std) {
        if (hwc.length != h * w * 3) throw new InvalidInputException("a " + h + "x" + w + " RGB frame has " + h * w * 3 + " bytes, got " + hwc.length);
        float[] out = new float[3 * outH * outW];
        toNchw(hwc, 0, w * 3, h, w, bgr, outH, outW, mean, std, out, 0);
        return new FloatTensor(out, 1, 3, outH, outW);
    }

    /**
     * @param frameOffset index of pixel (0, 0) in {@code hwc}; row y starts at {@code frameOffset + y * rowStride}
     * @param out         receives 3 planes of outH*outW values (RGB order) from {@code outOffset}
     */
    public static void toNchw(byte[] hwc, int frameOffset, int rowStride, int h, int w, boolean bgr, int outH, int outW,
                              float[] mean, float[] std, float[] out, int outOffset) {
        if (h < 1 || w < 1 || outH < 1 || outW < 1) throw new InvalidInputException("frame and output sizes must be positive");
        if (mean.length != 3 || std.length != 3) throw new InvalidInputException("mean and std need 3 values each");
        int[] y0 = new int[outH];
        int[] y1 = new int[outH];
        float[] ly = new float[outH];
        BilinearResize.axis(h, outH, y0, y1, ly);
        int[] x0 = new int[outW];
        int[] x1 = new int[outW];
        float[] lx = new float[outW];
        BilinearResize.axis(w, outW, x0, x1, lx);
        int plane = outH * outW;
        for (int k = 0; k < 3; k++) {
            int ch = bgr ? 2 - k : k;
            for (int oy = 0; oy < outH; oy++) {
                int r0 = frameOffset + y0[oy] * rowStride + ch;
                int r1 = frameOffset + y1[oy] * rowStride + ch;
                float wy1 = ly[oy];
                int o = outOffset + k * plane + oy * outW;
                for (int ox = 0; ox < outW; ox++) {
                    float v00 = hwc[r0 + 3 * x0[ox]] & 0xff;
                    float v01 = hwc[r0 + 3 * x1[ox]] & 0xff;
                    float v10 = hwc[r1 + 3 * x0[ox]] & 0xff;
                    float v11 = hwc[r1 + 3 * x1[ox]] & 0xff;
                    float v = BilinearResize.lerp2(wy1, lx[ox], v00, v01, v10, v11);
                    out[o + ox] = (v / 255f - mean[k]) / std[k];
                }
            }
        }
    }
}
