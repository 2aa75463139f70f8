package io.camstream.cli;

import io.camstream.InvalidInputException;
import io.camstream.image.Images;
import io.camstream.image.OverlayRenderer;
import io.camstream.image.Preprocessing;
import io.camstream.kafka.KafkaRecords;
import io.camstream.kafka.ResultCollector;
import io.camstream.protocol.ExplainResult;
import io.camstream.protocol.ResultForm;
import io.camstream.tensor.FloatTensor;
import io.camstream.tensor.Npy;
import org.bytedeco.opencv.opencv_core.Mat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

@Command(name = "collect", description = "Read one stream's committed answers (read_committed) from a Kafka topic and write them as a video and/or .npy maps (docs/kafka.md).",
        mixinStandardHelpOptions = true, sortOptions = false)
final class CollectCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "Topic of RESULT/ERROR records (the workers' --out).")
    String topic;

    @Option(names = "--stream", required = true, paramLabel = "ID", description = "The stream to collect.")
    long stream;

    @Option(names = "--output", paramLabel = "FILE",
            description = "Video: .mp4/.mkv (H.264) or .avi (Motion JPEG). JPEG overlays are written as they are; maps are drawn with --colormap.")
    Path output;

    @Option(names = "--npy-dir", paramLabel = "DIR", description = "Write each frame's maps as DIR/frame_NNNNNN.npy (K x H x W float32; needs uint8 or float32 results).")
    Path npyDir;

    @Option(names = "--frames", paramLabel = "N", description = "Stop after N answers. Default: when none has come for --idle-ms.")
    Integer frames;

    @Option(names = "--idle-ms", paramLabel = "MS", defaultValue = "10000", description = "Stop when no answer has come for this long. Default: ${DEFAULT-VALUE}.")
    long idleMillis;

    @Option(names = "--fps", paramLabel = "F", defaultValue = "25", description = "Frame rate of the written video. Default: ${DEFAULT-VALUE}.")
    double fps;

    @Option(names = "--colormap", paramLabel = "NAME", defaultValue = "jet", description = "For maps. Default: ${DEFAULT-VALUE}.")
    String colormap;

    private volatile boolean stopping;

    @Override
    public Integer call() throws Exception {
        if (output == null && npyDir == null) throw new InvalidInputException("nothing to write: give --output and/or --npy-dir");
        if (frames != null && frames < 1) throw new InvalidInputException("--frames must be at least 1");
        if (idleMillis < 1) throw new InvalidInputException("--idle-ms must be positive");
        if (!(fps > 0)) throw new InvalidInputException("--fps must be positive");
        if (npyDir != null) Files.createDirectories(npyDir);
        OverlayRenderer maps = new OverlayRenderer(colormap, 1.0);
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stopping = true;
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "camstream-collect-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        int ok = 0;
        int errors = 0;
        OverlayVideoWriter writer = null;
        try (ResultCollector collector = new ResultCollector(kafka.bootstrap, topic, stream, kafka.extra())) {
            long lastNanos = System.nanoTime();
            while (!stopping && (frames == null || ok + errors < frames) && System.nanoTime() - lastNanos < idleMillis * 1_000_000) {
                for (KafkaRecords.Answer a : collector.poll(Duration.ofMillis(200))) {
                    lastNanos = System.nanoTime();
                    if (!a.ok()) {
                        if (errors++ == 0) System.err.println("camstream: frame " + a.frameNumber() + " has no heatmap: " + a.error().errorCode() + ": " + a.error().message());
                        continue;
                    }
                    ExplainResult r = a.result();
                    if (output != null) {
                        try (Mat image = image(r, maps)) {
                            if (writer == null) writer = OverlayVideoWriter.open(output, image.cols(), image.rows(), fps);
                            writer.write(image);
                        }
                    }
                    if (npyDir != null) writeNpy(r);
                    ok++;
                    if (frames != null && ok + errors >= frames) break;
                }
            }
        } finally {
            if (writer != null) writer.close();
            done.countDown();
        }
        if (!stopping) Runtime.getRuntime().removeShutdownHook(hook);
        System.out.printf(Locale.ROOT, "collected %d answer(s) of stream %d (%d errors)%s%s%n", ok + errors, stream, errors,
                output != null && writer != null ? "; wrote " + output : "", npyDir != null ? "; maps in " + npyDir : "");
        return errors == 0 && ok > 0 ? 0 : 1;
    }

    /** The first map as a picture: a JPEG overlay decoded, or the map's values through the colour map. */
    private static Mat image(ExplainResult r, OverlayRenderer maps) {
        ExplainResult.Heatmap h = r.maps().get(0);
        if (h.form() == ResultForm.JPEG_OVERLAY) return Images.decode(h.data(), "the overlay of frame " + r.frameNumber());
        try (Mat black = new Mat(h.height(), h.width(), CV_8UC3)) {
            black.data().put(new byte[h.height() * h.width() * 3]);
            return maps.overlay(black, new Preprocessing.Region(0, 0, h.width(), h.height()), h.values(), 0, h.height(), h.width());
        }
    }

    private void writeNpy(ExplainResult r) throws IOException {
        ExplainResult.Heatmap first = r.maps().get(0);
        if (first.form() == ResultForm.JPEG_OVERLAY) throw new InvalidInputException("--npy-dir needs map results (publish --result uint8 or float32), not JPEG overlays");
        int k = r.maps().size();
        float[] all = new float[k * first.height() * first.width()];
        for (int i = 0; i < k; i++) {
            float[] v = r.maps().get(i).values();
            System.arraycopy(v, 0, all, i * v.length, v.length);
        }
        Npy.write(npyDir.resolve(String.format(Locale.ROOT, "frame_%06d.npy", r.frameNumber())), new FloatTensor(all, k, first.height(), first.width()));
    }
}
