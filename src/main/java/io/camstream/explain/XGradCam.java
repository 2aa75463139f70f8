package io.camstream.explain;

/**
 * XGrad-CAM (Fu et al. 2020), as pytorch-grad-cam: channel weight = {@code sum(g * A) / (sum(A) + 1e-7)} over the
 * channel's pixels.
 */
public final class XGradCam extends ChannelWeightedCam {
    static final double EPS = 1e-7;

    @Override
    public String name() {
        return "xgradcam";
    }

    @Override
    public boolean usesGradients() {
        return true;
    }

    @Override
    protected double channelWeight(float[] a, float[] g, int base, int pixels, int channels) {
        double sumA = 0;
        double sumGA = 0;
        for (int p = 0; p < pixels; p++) {
            sumA += a[base + p];
            sumGA += (double) g[base + p] * a[base + p];
        }
        return sumGA / (sumA + EPS);
    }
}
