package io.camstream.image;

import io.camstream.InvalidInputException;
import io.camstream.tensor.FloatTensor;
import org.bytedeco.opencv.opencv_core.Mat;

import java.util.List;

import static org.bytedeco.opencv.global.opencv_core.CV_8U;

/**
 * 8-bit images to a normalised NCHW float batch, as {@link Preprocessing} says. The arithmetic is
 * {@link FramePreprocessing}'s, so every command and the server feed the model the same numbers.
 */
public final class ImagePreprocessor {
    private final Preprocessing config;

    public ImagePreprocessor(Preprocessing config) {
        this.config = config;
    }

    public Preprocessing config() {
        return config;
    }

    /** OpenCV images (BGR, any size) to an (N, 3, H, W) batch. */
    public FloatTensor toTensor(List<Mat> bgrImages) {
        int n = bgrImages.size();
        int plane = 3 * config.height() * config.width();
        float[] out = new float[n * plane];
        for (int i = 0; i < n; i++) {
            Mat src = bgrImages.get(i);
            if (src.channels() != 3 || src.depth() != CV_8U) throw new InvalidInputException("image " + i + " is not 8-bit 3-channel");
            byte[] pixels = new byte[src.rows() * src.cols() * 3];
            (src.isContinuous() ? src : src.clone()).data().get(pixels);
            fill(pixels, src.rows(), src.cols(), true, out, i * plane);
        }
        return new FloatTensor(out, n, 3, config.height(), config.width());
    }

    /**
     * One packed (h, w, 3) frame into {@code out} from {@code offset}: crop (if configured), resize, normalise.
     *
     * @param bgr true for B,G,R byte order, false for R,G,B
     */
    public void fill(byte[] hwc, int h, int w, boolean bgr, float[] out, int offset) {
        if (hwc.length < h * w * 3) throw new InvalidInputException("a " + w + "x" + h + " 3-channel frame needs " + h * w * 3 + " bytes, got " + hwc.length);
        Preprocessing.Region r = config.regionIn(w, h);
        FramePreprocessing.toNchw(hwc, (r.y() * w + r.x()) * 3, w * 3, r.height(), r.width(), bgr, config.height(), config.width(),
                config.mean(), config.std(), out, offset);
    }
}
