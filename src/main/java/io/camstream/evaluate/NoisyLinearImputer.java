package io.camstream.evaluate;

import java.util.Random;

/**
 * ROAD's noisy linear imputation (Rong et al. 2022; the reference imputer that pytorch-grad-cam ships): every removed
 * pixel becomes the weighted mean of its 8 neighbours inside the image (weights 1/6 for the 4 direct ones, 1/12 for
 * the diagonals), removed neighbours being unknowns too; the resulting sparse, symmetric positive-definite system is
 * solved per channel (here by Jacobi-preconditioned conjugate gradients, there by a direct sparse solver), and
 * {@code noise * N(0, 1)} is added to every imputed value.
 */
public final class NoisyLinearImputer {
    static final int[][] OFFSETS = {{1, 1}, {0, 1}, {-1, 1}, {1, -1}, {0, -1}, {-1, -1}, {1, 0}, {-1, 0}};
    static final double[] WEIGHTS = {1 / 12.0, 1 / 6.0, 1 / 12.0, 1 / 12.0, 1 / 6.0, 1 / 12.0, 1 / 6.0, 1 / 6.0};
    public static final double DEFAULT_NOISE = 0.01;
    static final double TOLERANCE = 1e-5;
    static final int MAX_ITERATIONS = 5000;
    private static final int OUTSIDE = Integer.MIN_VALUE;

    private NoisyLinearImputer() {
    }

    /**
     * @param image   (C, H, W) values, not changed
     * @param removed H*W flags: true where the pixel (all channels) is imputed
     * @return a copy of the image with the removed pixels imputed
     */
    public static float[] impute(float[] image, int channels, int h, int w, boolean[] removed, double noise, Random random) {
        int plane = h * w;
        int[] index = new int[plane];
        int unknowns = 0;
        for (int p = 0; p < plane; p++) index[p] = removed[p] ? unknowns++ : -1;
        float[] out = image.clone();
        if (unknowns == 0) return out;
        int[] pixel = new int[unknowns];
        for (int p = 0; p < plane; p++) if (index[p] >= 0) pixel[index[p]] = p;
        // the system: diag[i] x_i - sum_{unknown nbrs j} w x_j = sum_{known nbrs} w v_j
        double[] diag = new double[unknowns];
        int[] nbr = new int[unknowns * 8];
        double[] nbrW = new double[unknowns * 8];
        for (int i = 0; i < unknowns; i++) {
            int y = pixel[i] / w;
            int x = pixel[i] % w;
            for (int k = 0; k < 8; k++) {
                int yy = y + OFFSETS[k][0];
                int xx = x + OFFSETS[k][1];
                nbr[i * 8 + k] = OUTSIDE;
                if (yy < 0 || xx < 0 || yy >= h || xx >= w) continue;
                diag[i] += WEIGHTS[k];
                // unknown neighbour: its unknown index (>= 0); known: -(pixel + 1)
                nbr[i * 8 + k] = index[yy * w + xx] >= 0 ? index[yy * w + xx] : -(yy * w + xx) - 1;
                nbrW[i * 8 + k] = WEIGHTS[k];
            }
        }
        double[] b = new double[unknowns];
        double[] x = new double[unknowns];
        for (int c = 0; c < channels; c++) {
            int base = c * plane;
            java.util.Arrays.fill(b, 0);
            double knownMean = 0;
            int known = 0;
            for (int i = 0; i < unknowns; i++) {
                for (int k = 0; k < 8; k++) {
                    int j = nbr[i * 8 + k];
                    if (j < 0 && j != OUTSIDE) {
                        int p = -j - 1;
                        b[i] += nbrW[i * 8 + k] * image[base + p];
                    }
                }
            }
            for (int p = 0; p < plane; p++) {
                if (!removed[p]) {
                    knownMean += image[base + p];
                    known++;
                }
            }
            // start from a normalised convolution of the known pixels: close to the smooth solution, so CG needs few steps
            float[] guess = smoothFill(image, base, removed, h, w, known > 0 ? knownMean / known : 0);
            for (int i = 0; i < unknowns; i++) x[i] = guess[pixel[i]];
            solve(diag, nbr, nbrW, b, x);
            for (int i = 0; i < unknowns; i++) out[base + pixel[i]] = (float) (x[i] + noise * random.nextGaussian());
        }
        return out;
    }

    /** Gaussian-weighted mean of the known pixels around each pixel (sigma 4 px), the mean where none is near. */
    private static float[] smoothFill(float[] image, int base, boolean[] removed, int h, int w, double fallback) {
        float[] values = new float[h * w];
        float[] weights = new float[h * w];
        for (int p = 0; p < h * w; p++) {
            if (!removed[p]) {
                values[p] = image[base + p];
                weights[p] = 1f;
            }
        }
        float[] v = io.camstream.image.GaussianBlur.blur(values, 1, h, w, 4.0);
        float[] wt = io.camstream.image.GaussianBlur.blur(weights, 1, h, w, 4.0);
        for (int p = 0; p < h * w; p++) v[p] = wt[p] > 1e-6f ? v[p] / wt[p] : (float) fallback;
        return v;
    }

    /** Preconditioned conjugate gradients on the system above, from the initial guess in x. */
    private static void solve(double[] diag, int[] nbr, double[] nbrW, double[] b, double[] x) {
        int n = b.length;
        double[] r = new double[n];
        double[] z = new double[n];
        double[] p = new double[n];
        double[] ap = new double[n];
        multiply(diag, nbr, nbrW, x, ap);
        double bNorm = 0;
        for (int i = 0; i < n; i++) {
            r[i] = b[i] - ap[i];
            bNorm += b[i] * b[i];
        }
        bNorm = Math.sqrt(bNorm);
        if (bNorm == 0) bNorm = 1;
        double rz = 0;
        for (int i = 0; i < n; i++) {
            z[i] = r[i] / diag[i];
            p[i] = z[i];
            rz += r[i] * z[i];
        }
        for (int it = 0; it < MAX_ITERATIONS; it++) {
            double rNorm = 0;
            for (int i = 0; i < n; i++) rNorm += r[i] * r[i];
            if (Math.sqrt(rNorm) <= TOLERANCE * bNorm) return;
            multiply(diag, nbr, nbrW, p, ap);
            double pap = 0;
            for (int i = 0; i < n; i++) pap += p[i] * ap[i];
            if (pap <= 0) return;
            double alpha = rz / pap;
            double rzNext = 0;
            for (int i = 0; i < n; i++) {
                x[i] += alpha * p[i];
                r[i] -= alpha * ap[i];
                z[i] = r[i] / diag[i];
                rzNext += r[i] * z[i];
            }
            double beta = rzNext / rz;
            rz = rzNext;
            for (int i = 0; i < n; i++) p[i] = z[i] + beta * p[i];
        }
    }

    private static void multiply(double[] diag, int[] nbr, double[] nbrW, double[] v, double[] out) {
        for (int i = 0; i < diag.length; i++) {
            double s = diag[i] * v[i];
            for (int k = 0; k < 8; k++) {
                int j = nbr[i * 8 + k];
                if (j >= 0) s -= nbrW[i * 8 + k] * v[j];
            }
            out[i] = s;
        }
    }
}
