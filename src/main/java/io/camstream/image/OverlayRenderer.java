package io.camstream.image;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.FONT_HERSHEY_SIMPLEX;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.applyColorMap;
import static org.bytedeco.opencv.global.opencv_imgproc.putText;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/** Heatmaps drawn over the images they explain, and the "original | overlay" panel of the Grad-CAM papers. */
public final class OverlayRenderer {
    private final Colormap colormap;
    private final double alpha;

    public OverlayRenderer(Colormap colormap, double alpha) {
        if (!(alpha >= 0 && alpha <= 1)) throw new io.camstream.InvalidInputException("--alpha must be in [0, 1], got " + alpha);
        this.colormap = colormap;
        this.alpha = alpha;
    }

    /**
     * The image with the heatmap blended over the region the network saw.
     *
     * @param heatmap (mapH x mapW) values in [0, 1], row-major, starting at {@code offset}
     */
    public Mat overlay(Mat bgr, Preprocessing.Region region, float[] heatmap, int offset, int mapH, int mapW) {
        Mat out = bgr.clone();
        float[] slice = java.util.Arrays.copyOfRange(heatmap, offset, offset + mapH * mapW);
        try (Mat map = new Mat(mapH, mapW, CV_32F, new FloatPointer(slice));
             Mat sized = new Mat();
             Mat u8 = new Mat();
             Mat colour = new Mat();
             Mat roi = new Mat(out, new Rect(region.x(), region.y(), region.width(), region.height()))) {
            resize(map, sized, new Size(region.width(), region.height()), 0, 0, INTER_LINEAR);
            sized.convertTo(u8, CV_8UC1, 255.0, 0.0);
            applyColorMap(u8, colour, colormap.opencvCode);
            blendInto(roi, colour);
        }
        return out;
    }

    /** roi = (1 - alpha) * roi + alpha * colour, rounded; both 8-bit BGR of the same size. */
    private void blendInto(Mat roi, Mat colour) {
        int w = roi.cols();
        int h = roi.rows();
        try (Mat base = roi.clone()) {
            byte[] a = new byte[w * h * 3];
            byte[] b = new byte[w * h * 3];
            base.data().get(a);
            (colour.isContinuous() ? colour : colour.clone()).data().get(b);
            for (int i = 0; i < a.length; i++) {
                a[i] = (byte) Math.round((1 - alpha) * (a[i] & 0xff) + alpha * (b[i] & 0xff));
            }
            base.data().put(a);
            base.copyTo(roi);
        }
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
        double scale = bar / 40.0;
        putText(canvas, title, new Point(8, (int) (bar * 0.72)), FONT_HERSHEY_SIMPLEX, scale, new Scalar(0, 0, 0, 0), Math.max(1, bar / 20), LINE_AA, false);
        return canvas;
    }
}
