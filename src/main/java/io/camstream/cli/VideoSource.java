package io.camstream.cli;

import io.camstream.InvalidInputException;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.javacv.OpenCVFrameGrabber;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Frames of a video file, stream URL (FFmpeg through JavaCV: the OpenCV build has no FFmpeg backend of its own) or
 * camera index (OpenCV), as 8-bit BGR images.
 */
final class VideoSource implements AutoCloseable {
    private final FrameGrabber grabber;
    private final OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat();

    private VideoSource(FrameGrabber grabber) {
        this.grabber = grabber;
    }

    static VideoSource open(String input) {
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        FrameGrabber g = input.matches("\\d+") ? new OpenCVFrameGrabber(Integer.parseInt(input)) : new FFmpegFrameGrabber(input);
        try {
            g.start();
        } catch (FrameGrabber.Exception | RuntimeException e) {
            throw new InvalidInputException("cannot open video " + input + ": " + reason(input, e), e);
        }
        return new VideoSource(g);
    }

    /** Why FFmpeg could not open {@code input}, in the user's words: JavaCV's hints name its own classes and methods. */
    private static String reason(String input, Exception e) {
        boolean file = !input.matches("\\d+") && !input.contains("://");
        if (file && !java.nio.file.Files.exists(java.nio.file.Path.of(input))) return "no such file";
        if (file && java.nio.file.Files.isDirectory(java.nio.file.Path.of(input))) return "it is a folder, not a video file";
        String m = String.valueOf(e.getMessage());
        m = m.replaceAll("\\s*\\((Has setFormat\\(\\) been called\\?|For more details, make sure FFmpegLogCallback\\.set\\(\\) has been called\\.)\\)", "");
        m = m.replaceAll("avformat_open_input\\(\\) error -?\\d+: ", "");
        return m.isBlank() ? "FFmpeg cannot read it (not a video, or a format this build lacks)" : m.strip();
    }

    /** Frames per second the source declares; 25 when it declares none. */
    double fps() {
        double f = grabber.getFrameRate();
        return f > 0 && f < 1000 ? f : 25;
    }

    /** Frames in the source, or -1 when unknown (cameras, live streams). */
    int length() {
        int n = grabber.getLengthInFrames();
        return n > 0 ? n : -1;
    }

    /** The next frame as a new BGR image the caller owns, or null at the end. */
    Mat next() {
        try {
            // video frames only: FFmpeg sources may interleave audio
            Frame f = grabber instanceof FFmpegFrameGrabber ff ? ff.grabImage() : grabber.grab();
            if (f == null) return null;
            Mat m = converter.convert(f);
            // the grabber reuses its buffer for the next frame
            return m.clone();
        } catch (FrameGrabber.Exception e) {
            throw new InvalidInputException("cannot decode the next video frame: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws FrameGrabber.Exception {
        grabber.stop();
        grabber.release();
    }
}
