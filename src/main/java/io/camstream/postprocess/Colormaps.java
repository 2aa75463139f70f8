package io.camstream.postprocess;

import io.camstream.InvalidInputException;
import org.bytedeco.opencv.opencv_core.Mat;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgproc.COLORMAP_JET;
import static org.bytedeco.opencv.global.opencv_imgproc.COLORMAP_MAGMA;
import static org.bytedeco.opencv.global.opencv_imgproc.COLORMAP_TURBO;
import static org.bytedeco.opencv.global.opencv_imgproc.COLORMAP_VIRIDIS;
import static org.bytedeco.opencv.global.opencv_imgproc.applyColorMap;

/**
 * OpenCV's colour maps as 256 x RGB lookup tables, read from OpenCV itself ({@code applyColorMap} on a 0..255 ramp), so
 * the table the GPU overlay uses is by construction the one {@code cv::applyColorMap} applies.
 */
public final class Colormaps {
    private static final Map<String, Integer> CODES = Map.of("jet", COLORMAP_JET, "turbo", COLORMAP_TURBO,
            "magma", COLORMAP_MAGMA, "viridis", COLORMAP_VIRIDIS);
    private static final Map<String, byte[]> CACHE = new ConcurrentHashMap<>();

    private Colormaps() {
    }

    public static List<String> names() {
        return List.of("jet", "turbo", "magma", "viridis");
    }

    /** 768 bytes: entry k is the RGB colour of gray level k. A fresh copy. */
    public static byte[] lutRgb(String name) {
        String key = name == null ? "" : name.toLowerCase(Locale.ROOT);
        Integer code = CODES.get(key);
        if (code == null) throw new InvalidInputException("unknown colormap '" + name + "'; valid: " + String.join(", ", names()));
        return CACHE.computeIfAbsent(key, k -> fromOpenCv(code)).clone();
    }

    private static byte[] fromOpenCv(int code) {
        try (Mat ramp = new Mat(1, 256, CV_8UC1); Mat colour = new Mat()) {
            byte[] levels = new byte[256];
            for (int i = 0; i < 256; i++) levels[i] = (byte) i;
            ramp.data().put(levels);
            applyColorMap(ramp, colour, code);
            byte[] bgr = new byte[256 * 3];
            colour.data().get(bgr);
            byte[] rgb = new byte[256 * 3];
            for (int i = 0; i < 256; i++) {
                rgb[3 * i] = bgr[3 * i + 2];
                rgb[3 * i + 1] = bgr[3 * i + 1];
                rgb[3 * i + 2] = bgr[3 * i];
            }
            return rgb;
        }
    }
}
