package io.camstream.evaluate;

import java.util.List;

/**
 * One method's scores over the evaluated inputs, or why it was skipped (e.g. CAM on a head it cannot explain).
 *
 * @param inputs         per scored map, the input's name
 * @param targets        per scored map, the explained class
 * @param explainSeconds time spent in the explainer (forward, backward, method, post-processing), all inputs
 */
public record MethodResult(String method, List<String> inputs, List<Integer> targets, List<ImageScores> scores,
                           double explainSeconds, String skipped) {
    public int count() {
        return scores.size();
    }

    public double mean(java.util.function.ToDoubleFunction<ImageScores> metric) {
        return scores.stream().mapToDouble(metric).average().orElse(Double.NaN);
    }

    /** Mean curve over inputs (deletion or insertion). */
    public double[] meanCurve(java.util.function.Function<ImageScores, double[]> curve) {
        if (scores.isEmpty()) return new double[0];
        double[] out = new double[curve.apply(scores.get(0)).length];
        for (ImageScores s : scores) {
            double[] c = curve.apply(s);
            for (int i = 0; i < out.length; i++) out[i] += c[i] / scores.size();
        }
        return out;
    }

    public double increasePercent() {
        return scores.isEmpty() ? Double.NaN : 100.0 * scores.stream().filter(ImageScores::increase).count() / scores.size();
    }

    public double millisPerInput() {
        return scores.isEmpty() ? Double.NaN : explainSeconds * 1000 / scores.size();
    }
}
