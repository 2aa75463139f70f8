package io.camstream.evaluate;

import io.camstream.image.GaussianBlur;

import java.util.Arrays;
import java.util.Random;

/**
 * Perturbation metrics of one heatmap, all on the softmax probability of the explained class:
 * <ul>
 *   <li>deletion / insertion (Petsiuk et al. 2018, RISE): pixels ranked by the heatmap (ties in a seeded random
 *       order), removed most relevant first in {@code steps} equal steps (set to 0 in the normalised input: the
 *       dataset's mean colour), or inserted most relevant first into a Gaussian-blurred copy (sigma = input size /
 *       32); the area under each curve by the trapezoid rule; deletion lower is better, insertion higher;</li>
 *   <li>average drop / increase in confidence (Chattopadhay et al. 2018): the input multiplied by the heatmap;</li>
 *   <li>ROAD (Rong et al. 2022): the most (MoRF) or least (LeRF) relevant fraction of pixels imputed by
 *       {@link NoisyLinearImputer}, at each of the given fractions (by rank, so ties cannot remove more than asked).</li>
 * </ul>
 */
public final class FaithfulnessMetrics {
    public static final int DEFAULT_STEPS = 20;
    public static final double[] DEFAULT_ROAD_FRACTIONS = {0.2, 0.4, 0.6, 0.8};
    private final Scorer scorer;
    private final int steps;
    private final double[] roadFractions;
    private final double noise;

    FaithfulnessMetrics(Scorer scorer, int steps, double[] roadFractions, double noise) {
        this.scorer = scorer;
        this.steps = steps;
        this.roadFractions = roadFractions.clone();
        this.noise = noise;
    }

    /**
     * @param x       (C, H, W) normalised input
     * @param heatmap H*W values (higher = more relevant)
     * @param seed    for the tie order and ROAD's noise
     */
    ImageScores score(float[] x, int[] shape, float[] heatmap, int target, double probability, long seed) {
        int c = shape[0];
        int h = shape[1];
        int w = shape[2];
        int plane = h * w;
        int[] order = order(heatmap, new Random(seed));
        int[] counts = new int[steps + 1];
        for (int k = 0; k <= steps; k++) counts[k] = (int) Math.round((double) k * plane / steps);

        float[] blurred = GaussianBlur.blur(x, c, h, w, Math.max(1.0, Math.max(h, w) / 32.0));
        float[] zeros = new float[x.length];
        float[] masked = x.clone();
        for (int k = 0; k < c; k++) for (int p = 0; p < plane; p++) masked[k * plane + p] *= heatmap[p];

        Random noiseRandom = new Random(seed ^ 0x5DEECE66DL);
        int f = roadFractions.length;
        float[][] imputed = new float[2 * f][];
        for (int i = 0; i < f; i++) {
            int n = (int) Math.round(roadFractions[i] * plane);
            boolean[] most = new boolean[plane];
            boolean[] least = new boolean[plane];
            for (int r = 0; r < n; r++) {
                most[order[r]] = true;
                least[order[plane - 1 - r]] = true;
            }
            imputed[i] = NoisyLinearImputer.impute(x, c, h, w, most, noise, noiseRandom);
            imputed[f + i] = NoisyLinearImputer.impute(x, c, h, w, least, noise, noiseRandom);
        }
        // every variant of this input in one stream, so that the forwards run in full chunks:
        // deletion 0..steps, insertion 0..steps, the heatmap-masked input, ROAD MoRF and LeRF
        int curve = steps + 1;
        double[] p = scorer.probabilities(2 * curve + 1 + 2 * f, j -> {
            if (j < curve) return replaceFirst(x, zeros, order, counts[j], c, plane);
            if (j < 2 * curve) return replaceFirst(blurred, x, order, counts[j - curve], c, plane);
            if (j == 2 * curve) return masked;
            return imputed[j - 2 * curve - 1];
        }, shape, target);
        double o = p[2 * curve];
        double drop = probability > 0 ? Math.max(0, probability - o) / probability * 100 : 0;
        return new ImageScores(probability, Arrays.copyOfRange(p, 0, curve), Arrays.copyOfRange(p, curve, 2 * curve), drop, o > probability,
                Arrays.copyOfRange(p, 2 * curve + 1, 2 * curve + 1 + f), Arrays.copyOfRange(p, 2 * curve + 1 + f, 2 * curve + 1 + 2 * f));
    }

    /** base, with the first n pixels of order (all channels) taken from source (zeros when source is all zeros). */
    private static float[] replaceFirst(float[] base, float[] source, int[] order, int n, int channels, int plane) {
        float[] out = base.clone();
        for (int r = 0; r < n; r++) {
            int p = order[r];
            for (int k = 0; k < channels; k++) out[k * plane + p] = source[k * plane + p];
        }
        return out;
    }

    /** Pixel indices by decreasing heatmap value; equal values in a random order drawn from {@code random}. */
    static int[] order(float[] heatmap, Random random) {
        int n = heatmap.length;
        int[] tie = new int[n];
        for (int i = 0; i < n; i++) tie[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = tie[i];
            tie[i] = tie[j];
            tie[j] = t;
        }
        Integer[] idx = new Integer[n];
        int[] rank = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
            rank[tie[i]] = i;
        }
        Arrays.sort(idx, (a, b) -> {
            int byValue = Float.compare(heatmap[b], heatmap[a]);
            return byValue != 0 ? byValue : Integer.compare(rank[a], rank[b]);
        });
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = idx[i];
        return out;
    }
}
