package io.camstream.explain;

import io.camstream.InvalidInputException;

import java.util.Arrays;
import java.util.Locale;

/**
 * What one map explains: a score function over one input's output row, {@code sum_j w_j s_j} where {@code s} is the
 * logits ({@link Score#LOGIT}) or their softmax ({@link Score#PROBABILITY}). One class with weight 1 is today's
 * "explain class c"; {@code A-B} (weights +1, -1) asks why A rather than B; several positive weights explain a set of
 * classes (multi-label). Every method differentiates or evaluates this score, never a class index of its own.
 *
 * @param classes distinct class indices
 * @param weights one weight per class
 */
public record Target(int[] classes, float[] weights, Score score) {
    /** What the weights apply to. */
    public enum Score {
        LOGIT, PROBABILITY;

        /** {@code logit} or {@code prob}. */
        public static Score parse(String text) {
            return switch (text == null ? "" : text.toLowerCase(Locale.ROOT)) {
                case "logit" -> LOGIT;
                case "prob", "probability", "softmax" -> PROBABILITY;
                default -> throw new InvalidInputException("--score must be logit or prob, got '" + text + "'");
            };
        }
    }

    public Target {
        if (classes.length == 0 || classes.length != weights.length) {
            throw new InvalidInputException("a target needs at least one class and one weight per class");
        }
        classes = classes.clone();
        weights = weights.clone();
        for (int i = 0; i < classes.length; i++) {
            if (!Float.isFinite(weights[i])) throw new InvalidInputException("target weights must be finite, got " + weights[i]);
            for (int j = 0; j < i; j++) {
                if (classes[i] == classes[j]) throw new InvalidInputException("class " + classes[i] + " appears twice in one target");
            }
        }
    }

    public static Target of(int cls, Score score) {
        return new Target(new int[]{cls}, new float[]{1f}, score);
    }

    /** {@code score(a) - score(b)}. */
    public static Target contrast(int a, int b, Score score) {
        return new Target(new int[]{a, b}, new float[]{1f, -1f}, score);
    }

    /** The class reported for this map: the first (for a contrast A-B, A). */
    public int primaryClass() {
        return classes[0];
    }

    /** @throws InvalidInputException when a class is outside {@code 0..numClasses-1} */
    void requireClassesBelow(int numClasses) {
        for (int c : classes) {
            if (c < 0 || c >= numClasses) {
                throw new InvalidInputException("target class " + c + " is out of range: the model has " + numClasses + " classes (0.." + (numClasses - 1) + ")");
            }
        }
    }

    /** The score of the output row {@code scores[offset .. offset + k)}. */
    public double value(float[] scores, int offset, int k) {
        double[] p = score == Score.PROBABILITY ? Ranking.softmax(scores, offset, k) : null;
        double s = 0;
        for (int j = 0; j < classes.length; j++) {
            s += weights[j] * (p == null ? scores[offset + classes[j]] : p[classes[j]]);
        }
        return s;
    }

    /** {@code 3}, {@code 3-7}, {@code 0.7*3+0.3*7}, prefixed {@code p:} for probabilities: what {@link Targets#parse} reads. */
    public String describe() {
        StringBuilder b = new StringBuilder(score == Score.PROBABILITY ? "p:" : "");
        for (int j = 0; j < classes.length; j++) {
            float w = weights[j];
            if (j > 0) b.append(w < 0 ? '-' : '+');
            else if (w < 0) b.append('-');
            float a = Math.abs(w);
            if (a != 1f) b.append(a == (long) a ? Long.toString((long) a) : Float.toString(a)).append('*');
            b.append(classes[j]);
        }
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Target t && Arrays.equals(classes, t.classes) && Arrays.equals(weights, t.weights) && score == t.score;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(classes) + Arrays.hashCode(weights)) + score.hashCode();
    }

    @Override
    public String toString() {
        return describe();
    }
}
