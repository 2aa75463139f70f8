package io.camstream.cli;

import io.camstream.InvalidInputException;
import io.camstream.kafka.FramePublisher;
import io.camstream.protocol.ExplainRequest;
import io.camstream.protocol.Payload;
import io.camstream.protocol.ResultForm;
import io.camstream.protocol.ResultSpec;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

@Command(name = "publish", description = "Publish a video's frames (file, URL or camera index) to a Kafka topic as EXPLAIN records of one stream (docs/kafka.md).",
        mixinStandardHelpOptions = true, sortOptions = false)
final class PublishCommand implements Callable<Integer> {
    /** Sends not yet acknowledged: enough to keep the producer busy, few enough that failures show promptly. */
    private static final int IN_FLIGHT = 64;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "Topic of EXPLAIN records (the workers' --in).")
    String topic;

    @Option(names = "--input", required = true, paramLabel = "VIDEO", description = "Video file, stream URL (rtsp://, http://), or camera index (0).")
    String input;

    @Option(names = "--stream", required = true, paramLabel = "ID", description = "Stream id (0..4294967295): the record key, so the stream's frames stay in order on one partition.")
    long stream;

    @Mixin
    RequestOptions request;

    @Option(names = "--send", paramLabel = "FORM", defaultValue = "jpeg", description = "How frames travel: jpeg (quality 90) or raw (BGR bytes). Default: ${DEFAULT-VALUE}.")
    String send;

    @Option(names = "--result", paramLabel = "FORM", defaultValue = "jpeg",
            description = "What the workers return: jpeg (overlay at the frame's size, ready for a video), uint8 or float32 (maps). Default: ${DEFAULT-VALUE}.")
    String result;

    @Option(names = "--result-size", paramLabel = "HxW", description = "Size of the returned maps or overlays. Default: the frame's size.")
    String resultSize;

    @Option(names = "--max-frames", paramLabel = "N", description = "Stop after N frames.")
    Integer maxFrames;

    @Option(names = "--realtime", description = "Publish at the source's frame rate instead of as fast as possible.")
    boolean realtime;

    @Option(names = "--max-request-bytes", paramLabel = "N", defaultValue = "16777216",
            description = "The producer's max.request.size; a larger frame is reported and skipped. The topic's max.message.bytes must allow it. Default: ${DEFAULT-VALUE}.")
    int maxRequestBytes;

    @Override
    public Integer call() throws Exception {
        if (stream < 0 || stream > 0xFFFF_FFFFL) throw new InvalidInputException("--stream must be in 0..4294967295");
        if (!send.equals("jpeg") && !send.equals("raw")) throw new InvalidInputException("--send must be jpeg or raw, got " + send);
        ResultSpec spec = resultSpec();
        int published = 0;
        int failed = 0;
        try (VideoSource source = VideoSource.open(input);
             FramePublisher publisher = new FramePublisher(kafka.bootstrap, topic, maxRequestBytes, kafka.extra())) {
            double fps = source.fps();
            long start = System.nanoTime();
            Deque<CompletableFuture<RecordMetadata>> pending = new ArrayDeque<>();
            long n = 0;
            for (Mat frame = source.next(); frame != null && (maxFrames == null || n < maxFrames); frame = source.next(), n++) {
                Payload payload;
                try {
                    payload = payload(frame);
                } finally {
                    frame.close();
                }
                if (realtime) {
                    long due = start + (long) (n * 1e9 / fps);
                    long wait = due - System.nanoTime();
                    if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                }
                pending.add(publisher.publish(new ExplainRequest(1, stream, n, request.method, request.target(), request.deadlineMicros(),
                        request.priority(), spec, payload)));
                while (pending.size() >= IN_FLIGHT) {
                    if (done(pending.poll())) published++;
                    else failed++;
                }
            }
            publisher.flush();
            while (!pending.isEmpty()) {
                if (done(pending.poll())) published++;
                else failed++;
            }
        }
        System.out.printf(Locale.ROOT, "published %d frame(s) of stream %d to %s%s%n", published, stream, topic, failed > 0 ? " (" + failed + " failed)" : "");
        return failed == 0 ? 0 : 1;
    }

    private boolean done(CompletableFuture<RecordMetadata> f) throws InterruptedException {
        try {
            f.get(120, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            System.err.println("camstream: " + e.getCause().getMessage());
            return false;
        } catch (java.util.concurrent.TimeoutException e) {
            System.err.println("camstream: a frame was not acknowledged within 120 s");
            return false;
        }
    }

    private ResultSpec resultSpec() {
        ResultForm form = switch (result) {
            case "float32" -> ResultForm.FLOAT32;
            case "uint8" -> ResultForm.UINT8;
            case "jpeg" -> ResultForm.JPEG_OVERLAY;
            default -> throw new InvalidInputException("--result must be jpeg, uint8 or float32, got " + result);
        };
        if (resultSize == null) return ResultSpec.of(form);
        String[] hw = resultSize.toLowerCase(Locale.ROOT).split("x");
        try {
            return new ResultSpec(form, Integer.parseInt(hw[0]), Integer.parseInt(hw[1]));
        } catch (RuntimeException e) {
            throw new InvalidInputException("--result-size must be HxW, e.g. 128x128, got " + resultSize);
        }
    }

    private Payload payload(Mat bgr) {
        if (send.equals("raw")) {
            byte[] px = new byte[bgr.rows() * bgr.cols() * 3];
            bgr.data().get(px);
            return Payload.bgr8(bgr.rows(), bgr.cols(), px);
        }
        try (BytePointer buf = new BytePointer(); IntPointer params = new IntPointer(IMWRITE_JPEG_QUALITY, 90)) {
            if (!imencode(".jpg", bgr, buf, params)) throw new InvalidInputException("cannot JPEG-encode a video frame");
            byte[] jpeg = new byte[(int) buf.limit()];
            buf.get(jpeg);
            return Payload.jpeg(jpeg);
        }
    }
}
