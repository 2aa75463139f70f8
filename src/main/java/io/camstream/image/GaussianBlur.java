package io.camstream.image;

/** Separable Gaussian blur of each channel of a (C, H, W) array, mirrored borders (OpenCV's BORDER_REFLECT_101). */
public final class GaussianBlur {
    private GaussianBlur() {
    }

    public static float[] blur(float[] img, int channels, int h, int w, double sigma) {
        int radius = Math.max(1, (int) Math.ceil(3 * sigma));
        double[] k = new double[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) {
            k[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
            sum += k[i + radius];
        }
        for (int i = 0; i < k.length; i++) k[i] /= sum;
        float[] tmp = new float[img.length];
        float[] out = new float[img.length];
        for (int c = 0; c < channels; c++) {
            int base = c * h * w;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double s = 0;
                    for (int i = -radius; i <= radius; i++) s += k[i + radius] * img[base + y * w + reflect(x + i, w)];
                    tmp[base + y * w + x] = (float) s;
                }
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double s = 0;
                    for (int i = -radius; i <= radius; i++) s += k[i + radius] * tmp[base + reflect(y + i, h) * w + x];
                    out[base + y * w + x] = (float) s;
                }
            }
        }
        return out;
    }

    static int reflect(int i, int n) {
        if (n == 1) return 0;
        while (i < 0 || i >= n) i = i < 0 ? -i : 2 * n - 2 - i;
        return i;
    }
}
