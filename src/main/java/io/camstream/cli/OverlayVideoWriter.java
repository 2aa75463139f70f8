package io.camstream.cli;

import io.camstream.InvalidInputException;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.FrameRecorder;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes BGR frames with FFmpeg through JavaCV: H.264 (libopenh264) in {@code .mp4}/{@code .mkv}, Motion JPEG in
 * {@code .avi}. (FFmpeg's libx264 is not in the JavaCV build.)
 */
final class OverlayVideoWriter implements AutoCloseable {
    private final FFmpegFrameRecorder recorder;
    private final OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat();

    private OverlayVideoWriter(FFmpegFrameRecorder recorder) {
        this.recorder = recorder;
    }

    /** Refuses a name this writer cannot write, or an output that is a folder or in a missing folder, before any work. */
    static void checkName(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!name.endsWith(".avi") && !name.endsWith(".mp4") && !name.endsWith(".mkv")) {
            throw new InvalidInputException("--output must end in .mp4, .mkv (H.264) or .avi (Motion JPEG), got " + file);
        }
        OutputPaths.requireFile(file, "--output");
    }

    static OverlayVideoWriter open(Path file, int width, int height, double fps) {
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        FFmpegFrameRecorder r = new FFmpegFrameRecorder(file.toString(), width, height);
        r.setFrameRate(fps);
        if (name.endsWith(".avi")) {
            r.setFormat("avi");
            r.setVideoCodec(avcodec.AV_CODEC_ID_MJPEG);
            r.setPixelFormat(avutil.AV_PIX_FMT_YUVJ420P);
            r.setVideoBitrate(Math.max(1_000_000, width * height * 8));
        } else if (name.endsWith(".mp4") || name.endsWith(".mkv")) {
            r.setFormat(name.endsWith(".mp4") ? "mp4" : "matroska");
            r.setVideoCodecName("libopenh264");
            r.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            r.setVideoBitrate(Math.max(500_000, width * height * 4));
        } else {
            throw new InvalidInputException("--output must end in .mp4, .mkv (H.264) or .avi (Motion JPEG), got " + file);
        }
        try {
            r.start();
        } catch (FrameRecorder.Exception e) {
            throw new InvalidInputException("cannot write video " + file + ": " + e.getMessage(), e);
        }
        return new OverlayVideoWriter(r);
    }

    void write(Mat bgr) {
        try {
            recorder.record(converter.convert(bgr), avutil.AV_PIX_FMT_BGR24);
        } catch (FrameRecorder.Exception e) {
            throw new InvalidInputException("cannot write a video frame: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws FrameRecorder.Exception {
        recorder.stop();
        recorder.release();
    }
}
