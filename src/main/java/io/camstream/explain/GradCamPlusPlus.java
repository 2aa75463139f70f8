package io.camstream.explain;

import io.camstream.postprocess.cuda.WeightKind;

/**
 * Grad-CAM++ (Chattopadhyay et al. 2018) with the exponential-score closed form used by pytorch-grad-cam:
 * {@code alpha = g^2 / (2 g^2 + sum(A) g^3 + eps)} (0 where g = 0), weight = {@code sum(relu(g) * alpha)}.
 */
public final class GradCamPlusPlus extends ChannelWeightedCam {
    static final double EPS = 1e-6;

    @Override
    public String name() {
        return "gradcam++";
    }

    @Override
    public boolean usesGradients() {
        return true;
    }

    @Override
    protected double channelWeight(float[] a, float[] g, int base, int pixels, int channels) {
        double sumA = 0;
        for (int p = 0; p < pixels; p++) sumA += a[base + p];
        double weight = 0;
        for (int p = 0; p < pixels; p++) {
            double gp = g[base + p];
            if (gp == 0) continue;
            double g2 = gp * gp;
            double alpha = g2 / (2 * g2 + sumA * g2 * gp + EPS);
            if (gp > 0) weight += gp * alpha;
        }
        return weight;
    }

    @Override
    public WeightKind deviceWeights() {
        return WeightKind.GRADCAM_PLUS_PLUS;
    }
}
