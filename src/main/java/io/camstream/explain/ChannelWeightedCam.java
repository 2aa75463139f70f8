package io.camstream.explain;

import io.camstream.postprocess.WeightedChannelSum;

/**
 * The shape most CAM methods share: one weight per channel, then a weighted sum of the activation channels.
 * Subclasses only say how the weights are computed (as pytorch-grad-cam's {@code get_cam_weights}).
 */
public abstract class ChannelWeightedCam implements CamMethod {
    @Override
    public final void computeMap(float[] a, float[] g, int offset, int channels, int height, int width, float[] map) {
        float[] weights = channelWeights(a, g, offset, channels, height * width);
        WeightedChannelSum.compute(a, offset, weights, channels, height * width, map);
    }

    @Override
    public final boolean contributions(float[] a, float[] g, int offset, int channels, int height, int width, float[] out) {
        weightChannels(a, offset, channelWeights(a, g, offset, channels, height * width), channels, height * width, out);
        return true;
    }

    /** out[c, p] = weights[c] * a[offset + c * pixels + p]. */
    static void weightChannels(float[] a, int offset, float[] weights, int channels, int pixels, float[] out) {
        for (int c = 0; c < channels; c++) {
            float wc = weights[c];
            int base = offset + c * pixels;
            for (int p = 0; p < pixels; p++) out[c * pixels + p] = wc * a[base + p];
        }
    }

    /** C weights for the input whose (C, pixels) block starts at {@code offset}. */
    final float[] channelWeights(float[] a, float[] g, int offset, int channels, int pixels) {
        float[] w = new float[channels];
        for (int c = 0; c < channels; c++) w[c] = (float) channelWeight(a, g, offset + c * pixels, pixels, channels);
        return w;
    }

    /**
     * The weight of the channel whose {@code pixels} activations (and gradients) start at {@code base}, accumulated in
     * double; {@code channels} is the layer's channel count.
     */
    protected abstract double channelWeight(float[] a, float[] g, int base, int pixels, int channels);
}
