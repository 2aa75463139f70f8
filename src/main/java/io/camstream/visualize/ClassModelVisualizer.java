package io.camstream.visualize;

import io.camstream.InvalidInputException;
import io.camstream.image.GaussianBlur;
import io.camstream.image.Preprocessing;
import io.camstream.model.TorchModel;
import io.camstream.tensor.FloatTensor;

import java.util.Random;
import java.util.function.Consumer;

/**
 * Class-model visualisation in the spirit of DeepVis (Simonyan et al. 2014; Yosinski et al. 2015): gradient ascent on
 * the input (the model frozen) that maximises one class's score ({@link Objective}), from seeded noise, regularised by L2 decay, a
 * Gaussian blur every few steps and a random jitter (the image is rolled by up to {@code jitter} pixels before each
 * forward, the gradient rolled back). Steps are normalised by the gradient's mean absolute value; the image is kept
 * inside the range that preprocessing can produce ([0, 1] per RGB channel before normalisation).
 */
public final class ClassModelVisualizer {
    /** The settings; {@link #DEFAULTS} are meant to work on small and ImageNet-sized models alike. */
    public record Settings(int steps, double learningRate, double l2Decay, int blurEvery, double blurSigma, int jitter, long seed,
                           Objective objective) {
        public static final Settings DEFAULTS = new Settings(200, 0.05, 1e-3, 4, 0.5, 4, 0, Objective.LOG_SOFTMAX);

        public Settings {
            if (steps < 1) throw new InvalidInputException("--steps must be at least 1, got " + steps);
            if (!(learningRate > 0)) throw new InvalidInputException("--lr must be positive, got " + learningRate);
            if (!(l2Decay >= 0 && l2Decay < 1)) throw new InvalidInputException("--l2 must be in [0, 1), got " + l2Decay);
            if (blurEvery < 0 || blurSigma < 0) throw new InvalidInputException("--blur-every and --blur-sigma must not be negative");
            if (jitter < 0) throw new InvalidInputException("--jitter must not be negative, got " + jitter);
        }
    }

    /**
     * What the ascent maximises: the class's logit (Simonyan et al.'s unnormalised score), or its log-softmax, which
     * also pushes the other classes down and so yields an image the model actually assigns to the class.
     */
    public enum Objective {
        LOGIT, LOG_SOFTMAX;

        public static Objective parse(String s) {
            return switch (s.toLowerCase(java.util.Locale.ROOT).replace('-', '_')) {
                case "logit" -> LOGIT;
                case "log_softmax", "logsoftmax" -> LOG_SOFTMAX;
                default -> throw new InvalidInputException("--objective must be logit or log-softmax, got '" + s + "'");
            };
        }
    }

    /** One progress report: step, the target's logit and softmax probability. */
    public record Progress(int step, double logit, double probability) {
    }

    /** The visualisation: the normalised (1, 3, H, W) input and the logits on the starting noise and on the result. */
    public record Result(FloatTensor image, float[] startLogits, float[] finalLogits) {
    }

    private final TorchModel model;
    private final Preprocessing preprocessing;
    private final Settings settings;

    public ClassModelVisualizer(TorchModel model, Preprocessing preprocessing, Settings settings) {
        this.model = model;
        this.preprocessing = preprocessing;
        this.settings = settings;
    }

    public Result run(int target, Consumer<Progress> progress) {
        int h = preprocessing.height();
        int w = preprocessing.width();
        int plane = h * w;
        float[] mean = preprocessing.mean();
        float[] std = preprocessing.std();
        float[] lo = new float[3];
        float[] hi = new float[3];
        for (int c = 0; c < 3; c++) {
            lo[c] = (0 - mean[c]) / std[c];
            hi[c] = (1 - mean[c]) / std[c];
        }
        Random random = new Random(settings.seed());
        float[] x = new float[3 * plane];
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < plane; p++) x[c * plane + p] = (float) ((0.5 + 0.1 * random.nextGaussian() - mean[c]) / std[c]);
        }
        clamp(x, lo, hi, plane);
        float[] start = logits(x, h, w);
        if (target < 0 || target >= start.length) {
            throw new InvalidInputException("--target " + target + " is out of range: the model has " + start.length + " classes (0.." + (start.length - 1) + ")");
        }
        int report = Math.max(1, settings.steps() / 10);
        for (int step = 1; step <= settings.steps(); step++) {
            int dy = settings.jitter() == 0 ? 0 : random.nextInt(2 * settings.jitter() + 1) - settings.jitter();
            int dx = settings.jitter() == 0 ? 0 : random.nextInt(2 * settings.jitter() + 1) - settings.jitter();
            float[] shifted = roll(x, 3, h, w, dy, dx);
            float[] grad;
            double logit;
            double prob;
            TorchModel.InputGradient g = model.inputGradient(new FloatTensor(shifted, 1, 3, h, w), target, settings.objective() != Objective.LOGIT);
            grad = roll(g.gradient().data(), 3, h, w, -dy, -dx);
            float[] l = g.logits().data();
            logit = l[target];
            prob = io.camstream.explain.Ranking.softmax(l, 0, l.length)[target];
            double meanAbs = 0;
            for (float v : grad) meanAbs += Math.abs(v);
            meanAbs /= grad.length;
            double scale = settings.learningRate() / (meanAbs + 1e-12);
            for (int i = 0; i < x.length; i++) x[i] = (float) ((x[i] + scale * grad[i]) * (1 - settings.l2Decay()));
            if (settings.blurEvery() > 0 && settings.blurSigma() > 0 && step % settings.blurEvery() == 0) {
                x = GaussianBlur.blur(x, 3, h, w, settings.blurSigma());
            }
            clamp(x, lo, hi, plane);
            if (progress != null && (step % report == 0 || step == settings.steps())) progress.accept(new Progress(step, logit, prob));
        }
        return new Result(new FloatTensor(x, 1, 3, h, w), start, logits(x, h, w));
    }

    private float[] logits(float[] x, int h, int w) {
        return model.logits(new FloatTensor(x, 1, 3, h, w)).data();
    }

    private static void clamp(float[] x, float[] lo, float[] hi, int plane) {
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < plane; p++) {
                int i = c * plane + p;
                x[i] = Math.max(lo[c], Math.min(hi[c], x[i]));
            }
        }
    }

    /** Cyclic shift of every (h, w) plane by (dy, dx). */
    static float[] roll(float[] x, int channels, int h, int w, int dy, int dx) {
        if (dy == 0 && dx == 0) return x.clone();
        float[] out = new float[x.length];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < h; y++) {
                int ty = Math.floorMod(y + dy, h);
                for (int xx = 0; xx < w; xx++) out[c * h * w + ty * w + Math.floorMod(xx + dx, w)] = x[c * h * w + y * w + xx];
            }
        }
        return out;
    }

    /** The normalised (1, 3, H, W) image back to 8-bit BGR bytes (H*W*3), for writing. */
    public static byte[] toBgr(FloatTensor image, Preprocessing p) {
        int h = image.dim(2);
        int w = image.dim(3);
        int plane = h * w;
        byte[] out = new byte[plane * 3];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < plane; i++) {
                double v = (image.data()[c * plane + i] * p.std()[c] + p.mean()[c]) * 255;
                out[i * 3 + (2 - c)] = (byte) Math.max(0, Math.min(255, Math.round(v)));
            }
        }
        return out;
    }
}
