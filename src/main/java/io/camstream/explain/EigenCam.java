package io.camstream.explain;

/**
 * EigenCAM (Muhammad and Yeasin 2020), as pytorch-grad-cam: the activations projected on their first principal
 * component ({@link EigenProjection}). Uses no gradients and is not class-discriminative: every target of an input
 * gets the same map. Its sign is the SVD's, as in pytorch-grad-cam (LAPACK's choice), so on some inputs the map
 * highlights the background; that is the method, not a bug here.
 */
public final class EigenCam implements CamMethod {
    @Override
    public String name() {
        return "eigencam";
    }

    @Override
    public boolean usesGradients() {
        return false;
    }

    @Override
    public void computeMap(float[] a, float[] g, int offset, int channels, int height, int width, float[] map) {
        float[] block = new float[channels * height * width];
        System.arraycopy(a, offset, block, 0, block.length);
        float[] p = EigenProjection.project(block, channels, height * width);
        System.arraycopy(p, 0, map, 0, p.length);
    }
}
