package io.camstream.explain;

import io.camstream.tensor.FloatTensor;

/**
 * Guided Grad-CAM (Selvaraju et al. 2017): the guided-backpropagation map ({@link GuidedBackprop}) multiplied, pixel
 * by pixel, by the Grad-CAM heatmap of the same target upsampled to the input size and normalised to [0, 1] (fused
 * over the layers when several are given), as pytorch-grad-cam's example. Class-discriminative and fine-grained.
 */
public final class GuidedGradCam implements InputMethod {
    private final GradCam gradCam = new GradCam();

    @Override
    public String name() {
        return "guided-gradcam";
    }

    @Override
    public boolean usesGradients() {
        return true;
    }

    @Override
    public FloatTensor maps(ExplanationContext ctx, LayerHeatmaps layerHeatmaps) {
        FloatTensor guided = GuidedBackprop.guidedGradients(ctx);
        FloatTensor cam = layerHeatmaps.of(gradCam, guided.dim(1), guided.dim(2));
        float[] g = guided.data();
        float[] c = cam.data();
        for (int i = 0; i < g.length; i++) g[i] *= c[i];
        return guided;
    }
}
