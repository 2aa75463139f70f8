package io.camstream.explain;

import io.camstream.model.LinearAlgebra;
import io.camstream.tensor.FloatTensor;

/**
 * pytorch-grad-cam's {@code get_2d_projection}: the (C, h*w) block read as h*w samples of C features, centred per
 * channel, projected on the first right-singular vector of its SVD. The SVD is libtorch's (LAPACK {@code gesdd}, full
 * matrices, float32, as numpy's in the reference), so the sign of the projection is LAPACK's choice, as there.
 * NaNs are read as 0.
 */
public final class EigenProjection {
    private EigenProjection() {
    }

    /** @return h*w values: the projection of every pixel's channel vector */
    public static float[] project(float[] block, int channels, int pixels) {
        float[] centred = new float[pixels * channels];
        for (int c = 0; c < channels; c++) {
            double mean = 0;
            for (int p = 0; p < pixels; p++) {
                float v = block[c * pixels + p];
                mean += Float.isNaN(v) ? 0 : v;
            }
            float m = (float) (mean / pixels);
            for (int p = 0; p < pixels; p++) {
                float v = block[c * pixels + p];
                centred[p * channels + c] = (Float.isNaN(v) ? 0f : v) - m;
            }
        }
        float[] v0 = LinearAlgebra.firstRightSingularVector(new FloatTensor(centred, pixels, channels));
        float[] out = new float[pixels];
        for (int p = 0; p < pixels; p++) {
            float s = 0f;
            for (int c = 0; c < channels; c++) s += centred[p * channels + c] * v0[c];
            out[p] = s;
        }
        return out;
    }
}
