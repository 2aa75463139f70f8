package io.camstream.evaluate;

import io.camstream.CamstreamException;
import io.camstream.explain.ExplanationBatch;
import io.camstream.explain.Explainer;
import io.camstream.explain.Ranking;
import io.camstream.explain.Targets;
import io.camstream.model.TorchModel;
import io.camstream.tensor.FloatTensor;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * Scores methods' heatmaps with {@link FaithfulnessMetrics} over a set of inputs, batch by batch. The explained class
 * of each input is its top prediction unless classes are given. A {@value #RANDOM} pseudo-method (uniform noise
 * heatmaps, seeded) is scored beside the methods as the floor any explanation should beat.
 */
public final class Evaluator {
    public static final String RANDOM = "random";
    private final TorchModel model;
    private final Function<String, Explainer> explainers;
    private final int batchSize;
    private final FaithfulnessMetrics metrics;
    private final long seed;
    private final PrintStream progress;

    /**
     * @param explainers method name to a configured explainer (layers, smoothing, ...); may throw a
     *                   {@link CamstreamException} for a method that cannot explain this model, which is then skipped
     * @param batchSize  inputs per explain call, and perturbed copies per forward
     */
    public Evaluator(TorchModel model, Function<String, Explainer> explainers, int batchSize, int steps, double[] roadFractions, long seed,
                     PrintStream progress) {
        if (steps < 2) throw new io.camstream.InvalidInputException("--steps must be at least 2, got " + steps);
        for (double f : roadFractions) {
            if (!(f > 0 && f < 1)) throw new io.camstream.InvalidInputException("ROAD fractions must lie strictly between 0 and 1, got " + f);
        }
        this.model = model;
        this.explainers = explainers;
        this.batchSize = batchSize;
        this.metrics = new FaithfulnessMetrics(new Scorer(model, batchSize), steps, roadFractions, NoisyLinearImputer.DEFAULT_NOISE);
        this.seed = seed;
        this.progress = progress;
    }

    /** @param classes one class for all inputs, one per input, or null for each input's top prediction */
    public Map<String, MethodResult> run(List<String> methods, InputSource inputs, int[] classes) {
        List<String> all = new ArrayList<>(methods);
        if (!all.contains(RANDOM)) all.add(RANDOM);
        Map<String, Explainer> ready = new LinkedHashMap<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        for (String m : all) {
            if (m.equals(RANDOM)) continue;
            try {
                ready.put(m, explainers.apply(m));
            } catch (CamstreamException e) {
                skipped.put(m, e.getMessage());
            }
        }
        Map<String, List<String>> names = new LinkedHashMap<>();
        Map<String, List<Integer>> targets = new LinkedHashMap<>();
        Map<String, List<ImageScores>> scores = new LinkedHashMap<>();
        Map<String, Double> seconds = new LinkedHashMap<>();
        for (String m : all) {
            names.put(m, new ArrayList<>());
            targets.put(m, new ArrayList<>());
            scores.put(m, new ArrayList<>());
            seconds.put(m, 0.0);
        }
        int total = inputs.count();
        long start = System.nanoTime();
        for (int from = 0; from < total; from += batchSize) {
            int to = Math.min(total, from + batchSize);
            FloatTensor x = inputs.batch(from, to);
            int n = x.dim(0);
            int[] shape = {x.dim(1), x.dim(2), x.dim(3)};
            int plane = shape[1] * shape[2];
            FloatTensor logits = model.inferenceLogits(x, n);
            int k = logits.dim(1);
            int[] cls = new int[n];
            double[] prob = new double[n];
            for (int i = 0; i < n; i++) {
                int global = from + i;
                if (classes == null) cls[i] = Ranking.topK(logits.data(), i * k, k, 1)[0];
                else cls[i] = classes.length == 1 ? classes[0] : classes[global];
                if (cls[i] < 0 || cls[i] >= k) throw new io.camstream.InvalidInputException("target class " + cls[i] + " is out of range: the model has " + k + " classes");
                prob[i] = Ranking.softmax(logits.data(), i * k, k)[cls[i]];
            }
            int done = 0;
            for (String m : all) {
                if (skipped.containsKey(m)) continue;
                done++;
                progress.printf("\revaluate: inputs %d-%d of %d, %-16s (%d/%d methods, %.0f s)   ", from + 1, to, total, m, done,
                        all.size() - skipped.size(), (System.nanoTime() - start) / 1e9);
                float[] heat;
                if (m.equals(RANDOM)) {
                    heat = new float[n * plane];
                    Random r = new Random(seed * 31 + from);
                    for (int i = 0; i < heat.length; i++) heat[i] = r.nextFloat();
                } else {
                    long t0 = System.nanoTime();
                    ExplanationBatch b;
                    try {
                        b = ready.get(m).explain(x, new Targets.Classes(cls), shape[1], shape[2]);
                    } catch (CamstreamException e) {
                        skipped.put(m, e.getMessage());
                        continue;
                    }
                    seconds.put(m, seconds.get(m) + (System.nanoTime() - t0) / 1e9);
                    heat = b.heatmaps().data();
                }
                for (int i = 0; i < n; i++) {
                    float[] xi = java.util.Arrays.copyOfRange(x.data(), i * shape[0] * plane, (i + 1) * shape[0] * plane);
                    float[] hi = java.util.Arrays.copyOfRange(heat, i * plane, (i + 1) * plane);
                    scores.get(m).add(metrics.score(xi, shape, hi, cls[i], prob[i], seed + from + i));
                    names.get(m).add(inputs.name(from + i));
                    targets.get(m).add(cls[i]);
                }
            }
        }
        progress.printf("\revaluate: %d inputs, %d methods in %.0f s%-40s%n", total, all.size() - skipped.size(), (System.nanoTime() - start) / 1e9, "");
        Map<String, MethodResult> out = new LinkedHashMap<>();
        for (String m : all) {
            out.put(m, new MethodResult(m, names.get(m), targets.get(m), skipped.containsKey(m) ? List.of() : scores.get(m), seconds.get(m), skipped.get(m)));
        }
        return out;
    }
}
