package io.camstream.image;

import io.camstream.InvalidInputException;
import org.bytedeco.opencv.global.opencv_imgproc;

import java.util.Arrays;
import java.util.Locale;

/** The colour maps offered for overlays: OpenCV's LUTs. */
public enum Colormap {
    JET(opencv_imgproc.COLORMAP_JET),
    TURBO(opencv_imgproc.COLORMAP_TURBO),
    MAGMA(opencv_imgproc.COLORMAP_MAGMA),
    VIRIDIS(opencv_imgproc.COLORMAP_VIRIDIS);

    final int opencvCode;

    Colormap(int opencvCode) {
        this.opencvCode = opencvCode;
    }

    public static Colormap parse(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("unknown colormap '" + name + "'; valid: "
                    + String.join(", ", Arrays.stream(values()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList()));
        }
    }
}
