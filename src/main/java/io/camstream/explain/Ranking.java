package io.camstream.explain;

/** Softmax and top-k over rows of logits. */
public final class Ranking {
    private Ranking() {
    }

    /** Indices of the k largest values of row {@code [offset, offset+len)}, largest first; ties keep the lower index. */
    public static int[] topK(float[] x, int offset, int len, int k) {
        int[] idx = new int[k];
        boolean[] taken = new boolean[len];
        for (int r = 0; r < k; r++) {
            int best = -1;
            for (int j = 0; j < len; j++) {
                if (!taken[j] && (best < 0 || x[offset + j] > x[offset + best])) best = j;
            }
            taken[best] = true;
            idx[r] = best;
        }
        return idx;
    }

    public static double[] softmax(float[] x, int offset, int len) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < len; j++) max = Math.max(max, x[offset + j]);
        double[] p = new double[len];
        double sum = 0;
        for (int j = 0; j < len; j++) {
            p[j] = Math.exp(x[offset + j] - max);
            sum += p[j];
        }
        for (int j = 0; j < len; j++) p[j] /= sum;
        return p;
    }
}
