package io.camstream.evaluate;

/**
 * The faithfulness scores of one heatmap for one input and class. Probabilities are the softmax probability of the
 * explained class.
 *
 * @param probability the class's probability on the unchanged input
 * @param deletion    probabilities as the most relevant pixels are removed first (fractions 0, 1/steps, ..., 1)
 * @param insertion   probabilities as the most relevant pixels are put back first into the blurred input
 * @param drop        Chattopadhay et al.'s drop in confidence, {@code max(0, Y - O) / Y} in percent, where O is the
 *                    probability on the input multiplied by the heatmap
 * @param increase    whether O > Y (the share of such inputs is the "increase in confidence")
 * @param roadMorf    ROAD: probabilities after imputing the most relevant fraction, per fraction
 * @param roadLerf    ROAD: probabilities after imputing the least relevant fraction, per fraction
 */
public record ImageScores(double probability, double[] deletion, double[] insertion, double drop, boolean increase,
                          double[] roadMorf, double[] roadLerf) {
    public double deletionAuc() {
        return auc(deletion);
    }

    public double insertionAuc() {
        return auc(insertion);
    }

    public double roadMorfMean() {
        return mean(roadMorf);
    }

    public double roadLerfMean() {
        return mean(roadLerf);
    }

    /** pytorch-grad-cam's ROADCombined: (LeRF - MoRF) / 2, averaged over the fractions; higher is better. */
    public double roadCombined() {
        return (roadLerfMean() - roadMorfMean()) / 2;
    }

    /** Trapezoid rule over equally spaced fractions in [0, 1]. */
    public static double auc(double[] curve) {
        if (curve.length < 2) return Double.NaN;
        double s = 0;
        for (int i = 0; i + 1 < curve.length; i++) s += (curve[i] + curve[i + 1]) / 2;
        return s / (curve.length - 1);
    }

    static double mean(double[] v) {
        if (v.length == 0) return Double.NaN;
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }
}
