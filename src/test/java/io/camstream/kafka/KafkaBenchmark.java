package io.camstream.kafka;

import io.camstream.Fixtures;
import io.camstream.explain.Labels;
import io.camstream.image.Images;
import io.camstream.image.OverlayRenderer;
import io.camstream.image.Preprocessing;
import io.camstream.model.ExecutionDevice;
import io.camstream.protocol.ExplainRequest;
import io.camstream.protocol.Payload;
import io.camstream.protocol.ResultForm;
import io.camstream.protocol.ResultSpec;
import io.camstream.protocol.Target;
import io.camstream.server.FrameProcessor;
import io.camstream.server.TorchBackend;
import org.HdrHistogram.Histogram;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.pytorch.global.torch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

/**
 * Kafka throughput and latency with 1..W workers of the demo model, against the in-JVM broker (benchmarks/kafka/run.sh).
 * Per worker count: a burst of frames (throughput = frames / time from the first send to the last committed answer),
 * then a paced run at half that rate (latency from each frame's send to its committed answer being read). Not a
 * test: it prints measured numbers and the machine, and asserts nothing.
 */
public final class KafkaBenchmark {
    private static final int SIZE = 128;
    private static final int PARTITIONS = 6;
    private static final int STREAMS = 12;

    public static void main(String[] args) throws Exception {
        io.camstream.natives.NativeLibraries.prepare(false);
        int maxWorkers = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int burst = args.length > 1 ? Integer.parseInt(args[1]) : 360;
        double pacedSeconds = args.length > 2 ? Double.parseDouble(args[2]) : 15;
        int threads = Integer.parseInt(System.getProperty("camstream.threads", "1"));
        torch.set_num_threads(threads);
        List<byte[]> jpegs = jpegs();
        System.out.printf(Locale.ROOT, "machine: %d cores visible, %s, load avg %s; libtorch threads per process %d; demo model %dx%d, Grad-CAM top-1, "
                        + "UINT8 map %dx%d, JPEG frames (%d bytes avg); %d partitions, %d streams%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.arch"), loadAvg(), threads, SIZE, SIZE, SIZE, SIZE,
                jpegs.stream().mapToInt(b -> b.length).sum() / jpegs.size(), PARTITIONS, STREAMS);
        try (TestBroker broker = TestBroker.start()) {
            for (int w = 1; w <= maxWorkers; w++) {
                String in = "bench-in-" + w;
                String out = "bench-out-" + w;
                broker.createTopic(in, PARTITIONS);
                broker.createTopic(out, PARTITIONS);
                List<CamstreamWorker> workers = new ArrayList<>();
                for (int i = 0; i < w; i++) {
                    WorkerConfig c = WorkerConfig.of(broker.bootstrap(), in, out, "bench-" + w).withTransactionalId("bench-" + w + "-" + i)
                            .withLimits(16, 0, 8 << 20, 16 << 20);
                    TorchBackend backend = TorchBackend.load(Fixtures.DEMO.resolve("model.pt"), ExecutionDevice.cpu(), "features.4", SIZE, SIZE,
                            Labels.read(Fixtures.DEMO.resolve("labels.txt")));
                    workers.add(CamstreamWorker.start(c, new FrameProcessor(backend, new Preprocessing(SIZE, SIZE, false, Preprocessing.IMAGENET_MEAN,
                            Preprocessing.IMAGENET_STD), new OverlayRenderer("jet", 0.5), 85, c.maxResultBytes())));
                }
                long until = System.nanoTime() + 60_000_000_000L;
                while (workers.stream().anyMatch(x -> !x.isReady()) && System.nanoTime() < until) Thread.sleep(50);
                // let the group settle: a last rebalance would otherwise land inside the measurement
                Thread.sleep(4000);
                Run b = run(broker, in, out, jpegs, burst, 0, 0);
                double rate = b.answered / b.seconds;
                Run p = run(broker, in, out, jpegs, (int) (rate / 2 * pacedSeconds), rate / 2, b.nextFrame);
                System.out.printf(Locale.ROOT, "workers %d: burst %d frames in %.2f s = %.1f frames/s (%d answered); paced %.1f fps for %.0f s: "
                                + "latency p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms (%d answered); aborted txns %d; load avg %s%n",
                        w, burst, b.seconds, rate, b.answered, rate / 2, pacedSeconds, p.latency.getValueAtPercentile(50) / 1000.0,
                        p.latency.getValueAtPercentile(90) / 1000.0, p.latency.getValueAtPercentile(99) / 1000.0, p.latency.getMaxValue() / 1000.0,
                        p.answered, (long) workers.stream().mapToDouble(x -> x.metrics().abortedCount()).sum(), loadAvg());
                for (CamstreamWorker x : workers) x.close(Duration.ofSeconds(20));
            }
        }
        System.exit(0);
    }

    private record Run(int answered, double seconds, Histogram latency, long nextFrame) {
    }

    /** Publishes {@code n} frames over the streams (at {@code fps}, or at once when 0) and reads their committed answers. */
    private static Run run(TestBroker broker, String in, String out, List<byte[]> jpegs, int n, double fps, long firstFrame) throws Exception {
        Map<Long, Long> sentAt = new ConcurrentHashMap<>();
        Histogram latency = new Histogram(3_600_000_000L, 3);
        int answered = 0;
        long start;
        long last;
        try (ResultCollector collector = new ResultCollector(broker.bootstrap(), out, null, Map.of());
             FramePublisher publisher = new FramePublisher(broker.bootstrap(), in, 16 << 20, Map.of())) {
            collector.poll(Duration.ofMillis(100));
            // skip what earlier runs left in the topic
            while (!collector.poll(Duration.ofMillis(300)).isEmpty()) {
            }
            start = System.nanoTime();
            last = start;
            int sent = 0;
            long deadline = Long.MAX_VALUE;
            while (answered < n && System.nanoTime() < deadline) {
                while (sent < n && (fps == 0 || System.nanoTime() - start >= (long) (sent / fps * 1e9))) {
                    long frame = firstFrame + sent / STREAMS;
                    long stream = sent % STREAMS;
                    sentAt.put(stream << 32 | frame, System.nanoTime());
                    publisher.publish(new ExplainRequest(1, stream, frame, "gradcam", Target.top1(), 0, 0, new ResultSpec(ResultForm.UINT8, SIZE, SIZE),
                            Payload.jpeg(jpegs.get(sent % jpegs.size()))));
                    if (++sent == n) deadline = System.nanoTime() + 120_000_000_000L;
                }
                for (KafkaRecords.Answer a : collector.poll(Duration.ofMillis(fps == 0 ? 100 : 5))) {
                    Long t = sentAt.remove(a.streamId() << 32 | a.frameNumber());
                    if (t == null) continue;
                    last = System.nanoTime();
                    latency.recordValue(Math.min((last - t) / 1000, 3_600_000_000L));
                    answered++;
                }
            }
        }
        return new Run(answered, (last - start) / 1e9, latency, firstFrame + n / STREAMS + 1);
    }

    private static List<byte[]> jpegs() throws Exception {
        List<byte[]> out = new ArrayList<>();
        try (var s = Files.list(Fixtures.DEMO.resolve("images"))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".png")).sorted().toList()) {
                try (Mat m = Images.decode(Files.readAllBytes(p), p.toString()); BytePointer buf = new BytePointer();
                     IntPointer q = new IntPointer(IMWRITE_JPEG_QUALITY, 90)) {
                    imencode(".jpg", m, buf, q);
                    byte[] b = new byte[(int) buf.limit()];
                    buf.get(b);
                    out.add(b);
                }
            }
        }
        return out;
    }

    private static String loadAvg() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (Exception e) {
            return "?";
        }
    }
}
