package io.camstream.postprocess.cuda;

/** How {@code cam_channel_weights_*} turns activations and gradients into one weight per channel. */
public enum WeightKind {
    /** 1 / C for every channel: the channel mean of the activations (method {@code activations}). */
    UNIFORM(0, false),
    /** Spatial mean of the gradient (Grad-CAM). */
    MEAN_GRADIENT(1, true),
    /** pytorch-grad-cam's closed form of Grad-CAM++. */
    GRADCAM_PLUS_PLUS(2, true);

    final int code;
    private final boolean usesGradients;

    WeightKind(int code, boolean usesGradients) {
        this.code = code;
        this.usesGradients = usesGradients;
    }

    public boolean usesGradients() {
        return usesGradients;
    }
}
