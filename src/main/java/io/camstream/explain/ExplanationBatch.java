package io.camstream.explain;

import io.camstream.tensor.FloatTensor;

import java.util.List;

/**
 * What one explain call returns. Maps are input-major: with K targets per input, map {@code m} belongs to input
 * {@code inputIndex[m]} and explains class {@code targetClass[m]}.
 *
 * @param cams        (M, h, w) maps at layer resolution, after ReLU, before upsampling and normalisation
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
