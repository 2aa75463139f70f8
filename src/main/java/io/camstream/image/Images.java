package io.camstream.image;

import io.camstream.InvalidInputException;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;

/** Reading and writing image files (8-bit BGR, OpenCV's order). */
public final class Images {
    private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp");

    private Images() {
    }

    /** Decodes a JPEG/PNG/BMP file; never returns an empty image. */
    public static Mat read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InvalidInputException("cannot read image " + file + ": " + e.getMessage(), e);
        }
        return decode(bytes, file.toString());
    }

    /** Decodes encoded image bytes; {@code what} names the source in errors. */
    public static Mat decode(byte[] encoded, String what) {
        Mat img;
        try (Mat buf = new Mat(new BytePointer(encoded))) {
            img = imdecode(buf, IMREAD_COLOR);
        }
        if (img == null || img.empty()) {
            throw new InvalidInputException("cannot decode image " + what + ": not a readable JPEG/PNG/BMP (or corrupt)");
        }
        return img;
    }

    public static void writePng(Path file, Mat bgr) {
        if (!imwrite(file.toString(), bgr)) throw new InvalidInputException("cannot write " + file);
    }

    public static boolean isImageFile(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(name::endsWith);
    }

    /** Files as given; folders expanded to their image files (not recursive), sorted by name. */
    public static List<Path> expand(List<Path> inputs) {
        return inputs.stream().flatMap(p -> {
            if (!Files.exists(p)) throw new InvalidInputException("input not found: " + p);
            if (!Files.isDirectory(p)) return Stream.of(p);
            try (Stream<Path> files = Files.list(p)) {
                List<Path> found = files.filter(Files::isRegularFile).filter(Images::isImageFile).sorted().toList();
                if (found.isEmpty()) throw new InvalidInputException("folder " + p + " has no .png/.jpg/.jpeg/.bmp images");
                return found.stream();
            } catch (IOException e) {
                throw new InvalidInputException("cannot list folder " + p + ": " + e.getMessage(), e);
            }
        }).toList();
    }
}
