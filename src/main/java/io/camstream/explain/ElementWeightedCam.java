package io.camstream.explain;

/**
 * CAM methods that weight every activation by a function of its own gradient, without pooling:
 * {@code map = sum_c f(g) * A}. Subclasses only say what {@code f} is.
 */
public abstract class ElementWeightedCam implements CamMethod {
    @Override
    public final boolean usesGradients() {
        return true;
    }

    @Override
    public final void computeMap(float[] a, float[] g, int offset, int channels, int height, int width, float[] map) {
        int pixels = height * width;
        java.util.Arrays.fill(map, 0, pixels, 0f);
        for (int c = 0; c < channels; c++) {
            int base = offset + c * pixels;
            for (int p = 0; p < pixels; p++) {
                float wp = gradientWeight(g[base + p]);
                if (wp != 0f) map[p] += wp * a[base + p];
            }
        }
    }

    @Override
    public final boolean contributions(float[] a, float[] g, int offset, int channels, int height, int width, float[] out) {
        int n = channels * height * width;
        for (int i = 0; i < n; i++) {
            float wi = gradientWeight(g[offset + i]);
            out[i] = wi != 0f ? wi * a[offset + i] : 0f;
        }
        return true;
    }

    /** The weight of one activation, from its gradient. */
    protected abstract float gradientWeight(float gradient);
}
