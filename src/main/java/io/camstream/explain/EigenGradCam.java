package io.camstream.explain;

/**
 * EigenGradCAM, as pytorch-grad-cam: the element-wise product of gradients and activations, {@code g * A}, projected
 * on its first principal component ({@link EigenProjection}). Class-discriminative, unlike EigenCAM; the sign is the
 * SVD's.
 */
public final class EigenGradCam implements CamMethod {
    @Override
    public String name() {
        return "eigengradcam";
    }

    @Override
    public boolean usesGradients() {
        return true;
    }

    @Override
    public void computeMap(float[] a, float[] g, int offset, int channels, int height, int width, float[] map) {
        float[] block = new float[channels * height * width];
        for (int i = 0; i < block.length; i++) block[i] = g[offset + i] * a[offset + i];
        System.arraycopy(EigenProjection.project(block, channels, height * width), 0, map, 0, map.length);
    }
}
