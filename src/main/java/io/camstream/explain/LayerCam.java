package io.camstream.explain;

/**
 * LayerCAM (Jiang et al. 2021), as pytorch-grad-cam: every pixel of every channel weighted by its own positive
 * gradient, {@code sum_c relu(g) * A}. No spatial pooling, so it stays sharp at shallow layers.
 */
public final class LayerCam extends ElementWeightedCam {
    @Override
    public String name() {
        return "layercam";
    }

    @Override
    protected float gradientWeight(float gradient) {
        return gradient > 0f ? gradient : 0f;
    }
}
