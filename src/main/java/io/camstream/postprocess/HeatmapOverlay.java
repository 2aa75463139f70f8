package io.camstream.postprocess;

/**
 * Colourises a normalised heatmap with a 256-entry RGB lookup table and alpha-blends it onto a uint8 frame, with
 * the numbers of OpenCV's {@code applyColorMap} + {@code addWeighted}.
 *
 * <p>LUT index {@code k = rint(x * 255)} (round half to even, clamped to [0, 255], NaN to 0), as OpenCV's
 * {@code convertTo(CV_8U, 255)}; blend {@code rint(frame * (float)(1 - alpha) + colour * (float) alpha)} saturated to
 * uint8, in float, as OpenCV's {@code addWeighted(frame, 1 - alpha, colourised, alpha, 0)} on 8-bit images.
 */
public final class HeatmapOverlay {
    private HeatmapOverlay() {
    }

    public static int lutIndex(float x) {
        float q = (float) Math.rint(x * 255f);
        if (!(q >= 0f)) return 0;
        return q <= 255f ? (int) q : 255;
    }

    /** The frame's weight as the kernel receives it: OpenCV converts its double weights to float for 8-bit data. */
    private static float frameWeight(double alpha) {
        return (float) (1.0 - alpha);
    }

    private static float colourWeight(double alpha) {
        return (float) alpha;
    }

    /**
     * @param heat       (h, w) map in [0, 1] starting at {@code heatOffset}
     * @param frame      uint8 HWC, 3 interleaved channels, row y at {@code frameOffset + y * rowStride}
     * @param bgr        the frame (and the output) are BGR rather than RGB
     * @param lutRgb     256 x RGB colours (see {@link Colormaps})
     * @param out        (h, w, 3) uint8 in the frame's channel order, written from {@code outOffset}
     */
    public static void blend(float[] heat, int heatOffset, int h, int w, byte[] frame, int frameOffset, int rowStride,
                             boolean bgr, byte[] lutRgb, double alpha, byte[] out, int outOffset) {
        if (lutRgb.length != 256 * 3) throw new IllegalArgumentException("a colour LUT has 256 RGB entries, got " + lutRgb.length + " bytes");
        float wf = frameWeight(alpha);
        float wc = colourWeight(alpha);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int k = lutIndex(heat[heatOffset + y * w + x]);
                int px = frameOffset + y * rowStride + 3 * x;
                int o = outOffset + 3 * (y * w + x);
                for (int ch = 0; ch < 3; ch++) {
                    float colour = lutRgb[3 * k + (bgr ? 2 - ch : ch)] & 0xff;
                    float f = frame[px + ch] & 0xff;
                    float t = (float) Math.rint(f * wf + colour * wc);
                    out[o + ch] = (byte) (t < 0f ? 0 : (t > 255f ? 255 : (int) t));
                }
            }
        }
    }
}
