package io.camstream.explain;

import io.camstream.tensor.FloatTensor;

import java.util.List;

/**
 * What one explain call returns. Maps are input-major: with K targets per input, map {@code m} belongs to input
 * {@code inputIndex[m]} and explains {@code targets[m]}, a score over the outputs whose
 * first class is {@code targetClass[m]}.
 *
 * @param cams        (M, h, w) maps where the method computes them, after ReLU (unless disabled), before resizing and
 *                    normalisation: the layer's grid for layer methods (several layers: their fusion at the finest
 *                    grid), the input's grid for input-space methods (occlusion, guided backprop, guided Grad-CAM)
 * @param heatmaps    (M, H, W) maps in [0, 1] at the output resolution
 * @param predictions per input, its top classes by probability
 * @param targetProbability per map, the softmax probability of the explained class
 * @param logits      (N, classes) pre-softmax scores
 * @param targets     per map, the score function it explains ({@code targetClass} is its first class)
 * @param targetScore per map, the value of that score function on the input
 */
public record ExplanationBatch(FloatTensor cams, FloatTensor heatmaps, int[] inputIndex, int[] targetClass,
                               double[] targetProbability, List<List<Prediction>> predictions, FloatTensor logits,
                               Target[] targets, double[] targetScore) {
    /** A batch whose maps each explain one class's logit. */
    public ExplanationBatch(FloatTensor cams, FloatTensor heatmaps, int[] inputIndex, int[] targetClass,
                            double[] targetProbability, List<List<Prediction>> predictions, FloatTensor logits) {
        this(cams, heatmaps, inputIndex, targetClass, targetProbability, predictions, logits, logitTargets(targetClass),
                logitScores(logits, inputIndex, targetClass));
    }

    private static Target[] logitTargets(int[] classes) {
        Target[] t = new Target[classes.length];
        for (int m = 0; m < t.length; m++) t[m] = Target.of(classes[m], Target.Score.LOGIT);
        return t;
    }

    private static double[] logitScores(FloatTensor logits, int[] inputIndex, int[] classes) {
        double[] s = new double[classes.length];
        for (int m = 0; m < s.length; m++) s[m] = logits.data()[inputIndex[m] * logits.dim(1) + classes[m]];
        return s;
    }

    public int size() {
        return inputIndex.length;
    }
}
