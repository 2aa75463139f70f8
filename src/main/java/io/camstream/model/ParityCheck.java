package io.camstream.model;

import io.camstream.tensor.FloatTensor;
import org.bytedeco.pytorch.Tensor;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The guard that keeps an optimised graph from ever giving a wrong map: the first batch of each input shape also runs
 * the plain graph, and the two must agree within {@link #TOLERANCE} (relative to the largest magnitude; folding
 * batch-norm into convolutions changes rounding, nothing more). Remembers a bounded number of shapes.
 */
final class ParityCheck {
    static final double TOLERANCE = 1e-3;
    private static final int MAX_SHAPES = 64; // a server's batcher sees every batch size up to its maximum
    private final Set<String> checked = new LinkedHashSet<>();

    /** Whether a batch of {@code input}'s shape still needs checking. */
    boolean needed(Tensor input) {
        return !checked.contains(key(input));
    }

    void passed(Tensor input) {
        if (checked.size() >= MAX_SHAPES) checked.remove(checked.iterator().next());
        checked.add(key(input));
    }

    private static String key(Tensor t) {
        return java.util.Arrays.toString(t.sizes().vec().get());
    }

    /** Null when every pair agrees, else what differs. Null entries (non-tensor values) must be null on both sides. */
    static String compare(List<String> names, List<Tensor> got, List<Tensor> expected) {
        for (int i = 0; i < got.size(); i++) {
            Tensor g = got.get(i);
            Tensor e = expected.get(i);
            if (g == null || e == null) {
                if (g != e) return names.get(i) + " is a tensor on one side only";
                continue;
            }
            FloatTensor a = Tensors.toJava(g);
            FloatTensor b = Tensors.toJava(e);
            if (!java.util.Arrays.equals(a.shape(), b.shape())) return names.get(i) + " has shape " + java.util.Arrays.toString(a.shape())
                    + " instead of " + java.util.Arrays.toString(b.shape());
            double err = relativeError(a.data(), b.data());
            if (!(err <= TOLERANCE)) return names.get(i) + " differs by " + err + " (relative)";
        }
        return null;
    }

    /** max |a - b| / max |b|; NaN anywhere counts as a difference. */
    static double relativeError(float[] a, float[] b) {
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs((double) a[i] - b[i]));
            scale = Math.max(scale, Math.abs((double) b[i]));
            if (Float.isNaN(a[i]) != Float.isNaN(b[i])) return Double.POSITIVE_INFINITY;
        }
        return scale == 0 ? diff : diff / scale;
    }
}
