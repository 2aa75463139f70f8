package io.camstream.image;

import io.camstream.InvalidInputException;
import io.camstream.tensor.FloatTensor;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;

import java.util.List;

import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/** 8-bit BGR images to a normalised NCHW float batch, as {@link Preprocessing} says. */
public final class ImagePreprocessor {
    private final Preprocessing config;

    public ImagePreprocessor(Preprocessing config) {
        this.config = config;
    }

    public Preprocessing config() {
        return config;
    }

    public FloatTensor toTensor(List<Mat> bgrImages) {
        int n = bgrImages.size();
        int w = config.width();
        int h = config.height();
        float[] out = new float[n * 3 * h * w];
        byte[] pixels = new byte[h * w * 3];
        for (int i = 0; i < n; i++) {
            Mat src = bgrImages.get(i);
            if (src.channels() != 3 || src.depth() != org.bytedeco.opencv.global.opencv_core.CV_8U) {
                throw new InvalidInputException("image " + i + " is not 8-bit 3-channel");
            }
            Preprocessing.Region r = config.regionIn(src.cols(), src.rows());
            try (Mat roi = new Mat(src, new Rect(r.x(), r.y(), r.width(), r.height()));
                 Mat resized = new Mat()) {
                resize(roi, resized, new Size(w, h), 0, 0, INTER_LINEAR);
                Mat cont = resized.isContinuous() ? resized : resized.clone();
                cont.data().get(pixels);
            }
            fill(pixels, out, i * 3 * h * w, h * w, true);
        }
        return new FloatTensor(out, n, 3, h, w);
    }

    /**
     * Packed 8-bit pixels (already at the network size) to one normalised CHW block.
     *
     * @param bgr true for B,G,R byte order, false for R,G,B
     */
    public void fill(byte[] pixels, float[] out, int offset, int count, boolean bgr) {
        float[] mean = config.mean();
        float[] std = config.std();
        for (int c = 0; c < 3; c++) {
            int srcChannel = bgr ? 2 - c : c;
            float m = mean[c];
            float inv = 1f / (255f * std[c]);
            float shift = m / std[c];
            int base = offset + c * count;
            for (int p = 0; p < count; p++) {
                out[base + p] = (pixels[p * 3 + srcChannel] & 0xff) * inv - shift;
            }
        }
    }
}
