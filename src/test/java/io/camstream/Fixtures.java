package io.camstream;

import io.camstream.tensor.FloatTensor;

import java.nio.file.Path;

/** Paths of committed fixtures, and comparisons used across tests. */
public final class Fixtures {
    public static final Path ROOT = Path.of("src/test/resources/fixtures");
    public static final Path PARITY = ROOT.resolve("parity");
    public static final Path SCENES = ROOT.resolve("scenes");
    public static final Path METHODS = ROOT.resolve("methods");
    public static final Path CORE = ROOT.resolve("core");
    public static final Path DEMO = Path.of("demo");

    private Fixtures() {
    }

    /** Largest |a - b| over map m, divided by the largest |b| of that map (1 when b is all zeros). */
    public static double relativeError(FloatTensor actual, FloatTensor expected, int m) {
        int s = expected.stride0();
        float[] a = actual.data();
        float[] b = expected.data();
        double maxDiff = 0;
        double scale = 0;
        for (int i = m * s; i < (m + 1) * s; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return maxDiff / (scale > 0 ? scale : 1);
    }
}
