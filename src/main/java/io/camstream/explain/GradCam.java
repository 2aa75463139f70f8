package io.camstream.explain;

/** Grad-CAM (Selvaraju et al. 2017): channel weight = spatial mean of the gradient. */
public final class GradCam extends ChannelWeightedCam {
    @Override
    public String name() {
        return "gradcam";
    }

    @Override
    public boolean usesGradients() {
        return true;
    }

    @Override
    protected float[] channelWeights(float[] a, float[] g, int offset, int channels, int pixels) {
        float[] w = new float[channels];
        for (int c = 0; c < channels; c++) {
            int base = offset + c * pixels;
            double sum = 0;
            for (int p = 0; p < pixels; p++) sum += g[base + p];
            w[c] = (float) (sum / pixels);
        }
        return w;
    }
}
