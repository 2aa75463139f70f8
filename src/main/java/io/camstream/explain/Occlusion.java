package io.camstream.explain;

import io.camstream.InvalidInputException;
import io.camstream.tensor.FloatTensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Occlusion sensitivity (Zeiler and Fergus 2014; Captum's {@code Occlusion}): a square patch, all channels, set to
 * {@code baseline} (a value of the normalised input, 0 = the normalisation mean) is slid over the input with
 * {@code stride}; each occluded copy's drop in the target score (a {@link Target}), {@code f(x) - f(x occluded)}, is credited to the
 * pixels under the patch, and each pixel's value is the mean over the patches that covered it. Positive where hiding
 * the area lowers the score: the warmest area matters most. Patch positions run 0, stride, 2*stride, ... and a last
 * one flush with the far edge, so every pixel is covered. Occluded copies are forwarded {@code batchSize} at a time,
 * without autograd; all targets of an input share them.
 */
public final class Occlusion implements InputMethod {
    public static final int DEFAULT_PATCH = 16;
    public static final int DEFAULT_STRIDE = 8;
    public static final int DEFAULT_BATCH_SIZE = 16;
    private final int patch;
    private final int stride;
    private final float baseline;
    private final int batchSize;

    public Occlusion() {
        this(DEFAULT_PATCH, DEFAULT_STRIDE, 0f, DEFAULT_BATCH_SIZE);
    }

    public Occlusion(int patch, int stride, float baseline, int batchSize) {
        if (patch < 1) throw new InvalidInputException("--patch must be at least 1, got " + patch);
        if (stride < 1) throw new InvalidInputException("--stride must be at least 1, got " + stride);
        if (batchSize < 1) throw new InvalidInputException("--batch-size must be at least 1, got " + batchSize);
        if (!Float.isFinite(baseline)) throw new InvalidInputException("--baseline must be a finite number, got " + baseline);
        this.patch = patch;
        this.stride = stride;
        this.baseline = baseline;
        this.batchSize = batchSize;
    }

    @Override
    public String name() {
        return "occlusion";
    }

    @Override
    public boolean usesGradients() {
        return false;
    }

    @Override
    public boolean usesLayers() {
        return false;
    }

    /** Patch starts along an axis of {@code size} pixels. */
    static int[] positions(int size, int patch, int stride) {
        List<Integer> p = new ArrayList<>();
        for (int s = 0; s + patch <= size; s += stride) p.add(s);
        if (p.get(p.size() - 1) + patch < size) p.add(size - patch);
        return p.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public FloatTensor maps(ExplanationContext ctx, LayerHeatmaps layerHeatmaps) {
        FloatTensor x = ctx.input();
        int n = x.dim(0);
        int channels = x.dim(1);
        int h = x.dim(2);
        int w = x.dim(3);
        if (patch > h || patch > w) {
            throw new InvalidInputException("--patch " + patch + " is larger than the input (" + h + "x" + w + ")");
        }
        int[] ys = positions(h, patch, stride);
        int[] xs = positions(w, patch, stride);
        int windows = ys.length * xs.length;
        int plane = h * w;
        int k = ctx.numClasses();
        float[] out = new float[ctx.mapCount() * plane];
        float[] count = new float[plane];
        for (int y : ys) for (int xx : xs) for (int r = y; r < y + patch; r++) for (int c = xx; c < xx + patch; c++) count[r * w + c]++;
        for (int i = 0; i < n; i++) {
            int first = ctx.firstMap(i);
            int maps = ctx.firstMap(i + 1) - first;
            float[] sums = new float[maps * plane];
            for (int from = 0; from < windows; from += batchSize) {
                int to = Math.min(windows, from + batchSize);
                float[] batch = new float[(to - from) * channels * plane];
                for (int j = from; j < to; j++) {
                    int o = (j - from) * channels * plane;
                    System.arraycopy(x.data(), i * channels * plane, batch, o, channels * plane);
                    int y = ys[j / xs.length];
                    int xx = xs[j % xs.length];
                    for (int c = 0; c < channels; c++) {
                        for (int r = y; r < y + patch; r++) {
                            java.util.Arrays.fill(batch, o + c * plane + r * w + xx, o + c * plane + r * w + xx + patch, baseline);
                        }
                    }
                }
                FloatTensor logits = ctx.model().inferenceLogits(new FloatTensor(batch, to - from, channels, h, w), batchSize);
                for (int j = from; j < to; j++) {
                    int y = ys[j / xs.length];
                    int xx = xs[j % xs.length];
                    for (int m = 0; m < maps; m++) {
                        Target t = ctx.target(first + m);
                        float drop = (float) (t.value(ctx.logits().data(), i * k, k) - t.value(logits.data(), (j - from) * k, k));
                        for (int r = y; r < y + patch; r++) {
                            int base = m * plane + r * w;
                            for (int c = xx; c < xx + patch; c++) sums[base + c] += drop;
                        }
                    }
                }
            }
            for (int m = 0; m < maps; m++) {
                for (int p = 0; p < plane; p++) out[(first + m) * plane + p] = sums[m * plane + p] / count[p];
            }
        }
        return new FloatTensor(out, ctx.mapCount(), h, w);
    }
}
