package io.camstream.explain;

import io.camstream.tensor.FloatTensor;

/**
 * A method whose maps live on the input grid and that drives the model itself: occlusion (batched occluded
 * forwards), guided backpropagation (a backward through guided ReLUs), guided Grad-CAM. The maps are then
 * post-processed like any other (ReLU, resize to the output size, min-max normalisation); {@code cams.npy} holds
 * them at the input's resolution.
 */
public interface InputMethod extends ExplanationMethod {
    /**
     * @param layerHeatmaps a layer method's heatmaps for the same batch and targets, at the context's layers (what
     *                      guided Grad-CAM multiplies with)
     * @return (maps, H, W) maps before ReLU on the input grid, one per explained pair in the context's map order
     */
    FloatTensor maps(ExplanationContext context, LayerHeatmaps layerHeatmaps);

    /** Heatmaps in [0, 1] at {@code h x w} of a layer method, fused over the context's layers as configured. */
    @FunctionalInterface
    interface LayerHeatmaps {
        FloatTensor of(ExplanationMethod layerMethod, int h, int w);
    }
}
