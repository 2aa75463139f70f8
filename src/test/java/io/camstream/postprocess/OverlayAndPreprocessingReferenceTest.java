package io.camstream.postprocess;

import io.camstream.image.FramePreprocessing;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.bytedeco.opencv.global.opencv_core.CV_32FC3;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_core.addWeighted;
import static org.bytedeco.opencv.global.opencv_imgproc.COLORMAP_JET;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.applyColorMap;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The overlay and pre-processing arithmetic against OpenCV itself: {@link HeatmapOverlay} against
 * {@code applyColorMap} + {@code addWeighted}, {@link FramePreprocessing} against {@code resize(INTER_LINEAR)} on
 * float data.
 */
class OverlayAndPreprocessingReferenceTest {
    @Test
    void lutIsOpenCvsColormap() {
        byte[] jet = Colormaps.lutRgb("jet");
        assertEquals(768, jet.length);
        // JET: gray 0 is dark blue, 255 dark red (RGB order here)
        assertTrue((jet[2] & 0xff) > 100 && (jet[0] & 0xff) == 0, "jet[0] should be blue");
        assertTrue((jet[765] & 0xff) > 100 && (jet[767] & 0xff) == 0, "jet[255] should be red");
        for (String name : Colormaps.names()) assertEquals(768, Colormaps.lutRgb(name).length);
    }

    @Test
    void overlayMatchesApplyColorMapAndAddWeighted() {
        int h = 37;
        int w = 53;
        Random rnd = new Random(11);
        float[] heat = new float[h * w];
        for (int i = 0; i < heat.length; i++) heat[i] = rnd.nextFloat();
        for (int i = 0; i < 256; i++) heat[i] = (i + 0.5f) / 255f; // rounding ties
        heat[300] = 0f;
        heat[301] = 1f;
        byte[] frame = new byte[h * w * 3];
        rnd.nextBytes(frame);
        double alpha = 0.4;
        byte[] lut = Colormaps.lutRgb("jet");
        byte[] ours = new byte[h * w * 3];
        HeatmapOverlay.blend(heat, 0, h, w, frame, 0, w * 3, true, lut, alpha, ours, 0);

        byte[] gray = new byte[h * w];
        for (int i = 0; i < gray.length; i++) gray[i] = (byte) HeatmapOverlay.lutIndex(heat[i]);
        try (Mat g = new Mat(h, w, CV_8UC1); Mat colour = new Mat(); Mat f = new Mat(h, w, CV_8UC3); Mat blended = new Mat()) {
            g.data().put(gray);
            applyColorMap(g, colour, COLORMAP_JET);
            f.data().put(frame);
            addWeighted(f, 1 - alpha, colour, alpha, 0, blended);
            byte[] cv = new byte[h * w * 3];
            blended.data().get(cv);
            int maxDiff = 0;
            for (int i = 0; i < cv.length; i++) maxDiff = Math.max(maxDiff, Math.abs((cv[i] & 0xff) - (ours[i] & 0xff)));
            // OpenCV's SIMD path may fuse the multiply-add; allow one level where that moves a rounding tie
            assertTrue(maxDiff <= 1, "max difference to OpenCV " + maxDiff);
        }
        assertEquals(0, HeatmapOverlay.lutIndex(Float.NaN));
        assertEquals(255, HeatmapOverlay.lutIndex(7f));
        assertEquals(0, HeatmapOverlay.lutIndex(-1f));
        assertEquals(128, HeatmapOverlay.lutIndex(128.5f / 255f) == 128 ? 128 : HeatmapOverlay.lutIndex(128.5f / 255f));
    }

    @Test
    void preprocessingMatchesOpenCvFloatResize() {
        int h = 47;
        int w = 61;
        int outH = 29;
        int outW = 37;
        Random rnd = new Random(5);
        byte[] frame = new byte[h * w * 3];
        rnd.nextBytes(frame);
        float[] mean = io.camstream.image.Preprocessing.IMAGENET_MEAN;
        float[] std = io.camstream.image.Preprocessing.IMAGENET_STD;
        float[] ours = FramePreprocessing.toTensor(frame, h, w, true, outH, outW, mean, std).data();

        float[] asFloat = new float[frame.length];
        for (int i = 0; i < frame.length; i++) asFloat[i] = frame[i] & 0xff;
        try (Mat src = new Mat(h, w, CV_32FC3); Mat dst = new Mat()) {
            new FloatPointer(src.data()).put(asFloat);
            resize(src, dst, new Size(outW, outH), 0, 0, INTER_LINEAR);
            float[] cv = new float[outH * outW * 3];
            new FloatPointer(dst.data()).get(cv);
            double maxErr = 0;
            for (int y = 0; y < outH; y++) {
                for (int x = 0; x < outW; x++) {
                    for (int k = 0; k < 3; k++) {
                        float v = cv[(y * outW + x) * 3 + (2 - k)]; // frame is BGR, output RGB
                        float expected = (v / 255f - mean[k]) / std[k];
                        maxErr = Math.max(maxErr, Math.abs(expected - ours[k * outH * outW + y * outW + x]));
                    }
                }
            }
            assertTrue(maxErr < 1e-4, "max error to OpenCV " + maxErr);
        }
    }

    @Test
    void sameSizeIsExactAndPaddedRowsAreHonoured() {
        int h = 3;
        int w = 4;
        int stride = w * 3 + 5;
        byte[] padded = new byte[h * stride];
        byte[] packed = new byte[h * w * 3];
        new Random(2).nextBytes(packed);
        for (int y = 0; y < h; y++) System.arraycopy(packed, y * w * 3, padded, y * stride, w * 3);
        float[] one = {0f, 0f, 0f};
        float[] a = new float[3 * h * w];
        FramePreprocessing.toNchw(padded, 0, stride, h, w, false, h, w, one, new float[]{1f, 1f, 1f}, a, 0);
        float[] expected = new float[3 * h * w];
        for (int k = 0; k < 3; k++) for (int i = 0; i < h * w; i++) expected[k * h * w + i] = (packed[i * 3 + k] & 0xff) / 255f;
        assertArrayEquals(expected, a);
    }
}
