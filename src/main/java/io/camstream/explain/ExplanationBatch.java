package io.camstream.explain;

import io.camstream.tensor.FloatTensor;

import java.util.List;

/**
 * What one explain call returns. Maps are input-major: with K targets per input, map {@code m} belongs to input
 * {@code inputIndex[m]} and explains class {@code targetClass[m]}.
 *
 * @param cams        (M, h, w) maps where the method computes them, after ReLU (unless disabled), before resizing and
 *                    normalisation: the layer's grid for layer methods (several layers: their fusion at the finest
 *                    grid), the input's grid for input-space methods (occlusion, guided backprop, guided Grad-CAM)
 * @param heatmaps    (M, H, W) maps in [0, 1] at the output resolution
 * @param predictions per input, its top classes by probability
 * @param targetProbability per map, the softmax probability of the explained class
 * @param logits      (N, classes) pre-softmax scores
 */
public record ExplanationBatch(FloatTensor cams, FloatTensor heatmaps, int[] inputIndex, int[] targetClass,
                               double[] targetProbability, List<List<Prediction>> predictions, FloatTensor logits) {
    public int size() {
        return inputIndex.length;
    }
}
