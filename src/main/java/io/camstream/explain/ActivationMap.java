package io.camstream.explain;

/** The channel mean of the layer's output: where the layer responds at all. Not class-discriminative. */
public final class ActivationMap extends ChannelWeightedCam {
    @Override
    public String name() {
        return "activations";
    }

    @Override
    public boolean usesGradients() {
        return false;
    }

    @Override
    protected float[] channelWeights(float[] a, float[] g, int offset, int channels, int pixels) {
        float[] w = new float[channels];
        java.util.Arrays.fill(w, 1f / channels);
        return w;
    }
}
