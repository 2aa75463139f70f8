package io.camstream.image;

import io.camstream.InvalidInputException;
import io.camstream.postprocess.BilinearResize;
import io.camstream.postprocess.Colormaps;
import io.camstream.postprocess.HeatmapOverlay;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;

import java.util.Locale;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.FONT_HERSHEY_SIMPLEX;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.putText;

/**
 * Heatmaps drawn over the images they explain, and the "original | overlay" panel of the Grad-CAM papers. The map is
 * upsampled with {@link BilinearResize} and blended by {@link HeatmapOverlay}, whatever device computed the map.
 */
public final class OverlayRenderer {
    private final byte[] lutRgb;
    private final double alpha;

    /**
     * @param colormap one of {@link Colormaps#names()}
     * @param alpha    opacity of the heatmap, in [0, 1]
     */
    public OverlayRenderer(String colormap, double alpha) {
        if (!(alpha >= 0 && alpha <= 1)) throw new InvalidInputException("--alpha must be in [0, 1], got " + alpha);
        this.lutRgb = Colormaps.lutRgb(colormap);
        this.alpha = alpha;
    }

    /**
     * A copy of the BGR image with the heatmap blended over the region the network saw.
     *
     * @param heatmap (mapH x mapW) values in [0, 1], row-major, starting at {@code offset}
     */
    public Mat overlay(Mat bgr, Preprocessing.Region region, float[] heatmap, int offset, int mapH, int mapW) {
        Mat out = bgr.clone();
        int cols = out.cols();
        byte[] pixels = new byte[out.rows() * cols * 3];
        out.data().get(pixels);
        int rw = region.width();
        int rh = region.height();
        float[] sized = new float[rh * rw];
        BilinearResize.resize(heatmap, offset, mapH, mapW, sized, 0, rh, rw);
        byte[] blended = new byte[rh * rw * 3];
        int origin = (region.y() * cols + region.x()) * 3;
        HeatmapOverlay.blend(sized, 0, rh, rw, pixels, origin, cols * 3, true, lutRgb, alpha, blended, 0);
        for (int y = 0; y < rh; y++) System.arraycopy(blended, y * rw * 3, pixels, origin + y * cols * 3, rw * 3);
        out.data().put(pixels);
        return out;
    }

    /** Original and overlay side by side, under a title bar. */
    public static Mat panel(Mat original, Mat overlay, String title) {
        int w = original.cols();
        int h = original.rows();
        int bar = Math.max(24, h / 10);
        Mat canvas = new Mat(h + bar, 2 * w, CV_8UC3, new Scalar(255, 255, 255, 0));
        try (Mat left = new Mat(canvas, new Rect(0, bar, w, h)); Mat right = new Mat(canvas, new Rect(w, bar, w, h))) {
            original.copyTo(left);
            overlay.copyTo(right);
        }
        putText(canvas, title, new Point(8, (int) (bar * 0.72)), FONT_HERSHEY_SIMPLEX, bar / 40.0, new Scalar(0, 0, 0, 0),
                Math.max(1, bar / 20), LINE_AA, false);
        return canvas;
    }

    /** "label (0.912)": the panel title. */
    public static String title(String label, double probability) {
        return String.format(Locale.ROOT, "%s (%.3f)", label, probability);
    }
}
