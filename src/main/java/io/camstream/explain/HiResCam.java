package io.camstream.explain;

/**
 * HiResCAM (Draelos and Carin 2020), as pytorch-grad-cam: the element-wise product of gradients and activations,
 * summed over channels, without pooling the gradients: {@code sum_c g * A}. For a layer followed only by global
 * average pooling and a linear layer the gradient is constant per channel, and HiResCAM equals Grad-CAM.
 */
public final class HiResCam extends ElementWeightedCam {
    @Override
    public String name() {
        return "hirescam";
    }

    @Override
    protected float gradientWeight(float gradient) {
        return gradient;
    }
}
