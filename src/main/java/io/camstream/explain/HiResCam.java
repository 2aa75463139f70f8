package io.camstream.explain;

/**
 * HiResCAM (Draelos and Carin 2020), as pytorch-grad-cam: the element-wise product of gradients and activations,
 * summed over channels, without pooling the gradients: {@code sum_c g * A}. For a layer followed only by global
 * average pooling and a linear layer the gradient is constant per channel, and HiResCAM equals Grad-CAM.
 */
public final class HiResCam implements CamMethod {
    @Override
    public String name() {
        return "hirescam";
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
            for (int p = 0; p < pixels; p++) map[p] += g[base + p] * a[base + p];
        }
    }

    @Override
    public boolean contributions(float[] a, float[] g, int offset, int channels, int height, int width, float[] out) {
        int n = channels * height * width;
        for (int i = 0; i < n; i++) out[i] = g[offset + i] * a[offset + i];
        return true;
    }
}
