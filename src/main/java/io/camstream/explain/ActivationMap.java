package io.camstream.explain;

import io.camstream.postprocess.cuda.WeightKind;

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
    protected double channelWeight(float[] a, float[] g, int base, int pixels, int channels) {
        return 1f / channels; // the float quotient, as the CUDA kernel's
    }

    @Override
    public WeightKind deviceWeights() {
        return WeightKind.UNIFORM;
    }
}
