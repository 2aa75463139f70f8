package io.camstream.explain;

/**
 * LayerCAM (Jiang et al. 2021), as pytorch-grad-cam: every pixel of every channel weighted by its own positive
 * gradient, {@code sum_c relu(g) * A}. No spatial pooling, so it stays sharp at shallow layers.
 */
public final class LayerCam implements CamMethod {
    @Override
    public String name() {
        return "layercam";
    }

    @Override
    public boolean usesGradients() {
        return true;
    }

    @Override
    public void computeMap(float[] a, float[] g, int offset, int channels, int height, int width, float[] map) {
        int pixels = height * width;
        java.util.Arrays.fill(map, 0, pixels, 0f);
        for (int c = 0; c < channels; c++) {
            int base = offset + c * pixels;
            for (int p = 0; p < pixels; p++) {
                float gp = g[base + p];
                if (gp > 0f) map[p] += gp * a[base + p];
            }
        }
    }

    @Override
    public boolean contributions(float[] a, float[] g, int offset, int channels, int height, int width, float[] out) {
        int n = channels * height * width;
        for (int i = 0; i < n; i++) {
            float gp = g[offset + i];
            out[i] = gp > 0f ? gp * a[offset + i] : 0f;
        }
        return true;
    }
}
