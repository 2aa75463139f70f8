package io.camstream.explain;

import io.camstream.postprocess.cuda.WeightKind;

/**
 * A class-activation-map method: turns one input's layer activations (and, if it needs them, the gradients of the
 * target score with respect to them) into a map at layer resolution, before ReLU. The {@link Explainer} does the
 * rest (forward, target selection, backward, post-processing) the same way for every method.
 */
public interface CamMethod extends ExplanationMethod {
    /** The name used on the command line and over the wire, e.g. {@code gradcam}. */
    @Override
    String name();

    /** False for methods that need no backward pass (it is then skipped). */
    @Override
    boolean usesGradients();

    /**
     * @param a      activations of the batch, (N, C, h, w) in C order
     * @param g      gradients, same layout, or null when {@link #usesGradients()} is false
     * @param offset start of this input's (C, h, w) block in {@code a} and {@code g}
     * @param map    h*w outputs, overwritten with the map before ReLU
     */
    void computeMap(float[] a, float[] g, int offset, int channels, int height, int width, float[] map);

    /**
     * The per-channel terms whose sum over channels is the map, (C, h, w) into {@code out}: what {@code --eigen-smooth}
     * projects on its first principal component instead of summing (pytorch-grad-cam's "weighted activations").
     *
     * @return false when the map is not such a sum (EigenCAM, already a projection): eigen smoothing then keeps
     *         {@link #computeMap}
     */
    default boolean contributions(float[] a, float[] g, int offset, int channels, int height, int width, float[] out) {
        return false;
    }

    /**
     * The CUDA kernel that computes this method's channel weights on the device, or null (the default) when there is
     * none: the method then runs on the host from copied activations and gradients, on any device.
     */
    default WeightKind deviceWeights() {
        return null;
    }
}
