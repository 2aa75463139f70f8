package io.camstream.explain;

import io.camstream.postprocess.cuda.WeightKind;

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
    protected double channelWeight(float[] a, float[] g, int base, int pixels, int channels) {
        double sum = 0;
        for (int p = 0; p < pixels; p++) sum += g[base + p];
        return sum / pixels;
    }

    @Override
    public WeightKind deviceWeights() {
        return WeightKind.MEAN_GRADIENT;
    }
}
