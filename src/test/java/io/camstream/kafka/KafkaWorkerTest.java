package io.camstream.kafka;

import io.camstream.Fixtures;
import io.camstream.explain.Explainer;
import io.camstream.explain.ExplanationBatch;
import io.camstream.explain.Labels;
import io.camstream.explain.Methods;
import io.camstream.explain.Targets;
import io.camstream.image.ImagePreprocessor;
import io.camstream.image.Images;
import io.camstream.image.OverlayRenderer;
import io.camstream.image.Preprocessing;
import io.camstream.model.ExecutionDevice;
import io.camstream.model.TorchModel;
import io.camstream.protocol.ErrorCode;
import io.camstream.protocol.ExplainRequest;
import io.camstream.protocol.ExplainResult;
import io.camstream.protocol.Opcode;
import io.camstream.protocol.Payload;
import io.camstream.protocol.ResultForm;
import io.camstream.protocol.ResultSpec;
import io.camstream.protocol.Target;
import io.camstream.protocol.Wire;
import io.camstream.server.FrameProcessor;
import io.camstream.server.TorchBackend;
import io.camstream.tensor.FloatTensor;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Workers against a real KRaft broker in this JVM, with the demo model: every input frame gets exactly one
 * committed answer, equal to the in-process engine's, through worker crashes, departures and a broker restart.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class KafkaWorkerTest {
    private static final Path MODEL = Fixtures.DEMO.resolve("model.pt");
    private static final String LAYER = "features.4";
    private static final int SIZE = 128;
    private static final float TOLERANCE = 1e-4f;
    private static final Preprocessing PREPROCESSING = new Preprocessing(SIZE, SIZE, false, Preprocessing.IMAGENET_MEAN, Preprocessing.IMAGENET_STD);
    private static final Labels LABELS = Labels.read(Fixtures.DEMO.resolve("labels.txt"));

    static TestBroker broker;
    static List<byte[]> pngs = new ArrayList<>();
    static final List<CamstreamWorker> workers = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        broker = TestBroker.start();
        try (var s = Files.list(Fixtures.DEMO.resolve("images"))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".png")).sorted().toList()) pngs.add(Files.readAllBytes(p));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (CamstreamWorker w : workers) w.close(Duration.ofSeconds(10));
        if (broker != null) broker.close();
    }

    private static WorkerConfig config(String in, String out, String group) {
        return WorkerConfig.of(broker.bootstrap(), in, out, group).withTimeouts(3000, 5000).withLimits(4, 0, 200_000, 1 << 20);
    }

    private static CamstreamWorker worker(WorkerConfig config) {
        TorchBackend backend = TorchBackend.load(MODEL, ExecutionDevice.cpu(), LAYER, SIZE, SIZE, LABELS);
        CamstreamWorker w = CamstreamWorker.start(config, new FrameProcessor(backend, PREPROCESSING, new OverlayRenderer("jet", 0.5), 90,
                config.maxResultBytes()));
        workers.add(w);
        return w;
    }

    private static ExplainRequest frame(long stream, long n) {
        byte[] png = pngs.get((int) ((stream + n) % pngs.size()));
        return new ExplainRequest(1, stream, n, "gradcam", Target.top1(), 0, 0, new ResultSpec(ResultForm.FLOAT32, SIZE, SIZE), Payload.png(png));
    }

    /** Reads committed answers until {@code n} have come or 90 s pass. */
    private static List<KafkaRecords.Answer> collect(String topic, int n) {
        List<KafkaRecords.Answer> got = new ArrayList<>();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        try (ResultCollector c = new ResultCollector(broker.bootstrap(), topic, null, Map.of())) {
            while (got.size() < n && System.nanoTime() - until < 0) got.addAll(c.poll(Duration.ofMillis(200)));
            // anything more (a duplicate) would arrive with the same transactions: look once more
            got.addAll(c.poll(Duration.ofMillis(500)));
        }
        return got;
    }

    /** Exactly one answer per input frame, in frame order within each stream; returns them by stream. */
    private static Map<Long, List<KafkaRecords.Answer>> assertExactlyOnce(List<KafkaRecords.Answer> got, int streams, int perStream) {
        Map<Long, List<KafkaRecords.Answer>> byStream = new TreeMap<>();
        for (KafkaRecords.Answer a : got) byStream.computeIfAbsent(a.streamId(), k -> new ArrayList<>()).add(a);
        assertEquals(streams, byStream.size(), "streams answered");
        byStream.forEach((s, answers) -> {
            List<Long> frames = answers.stream().map(KafkaRecords.Answer::frameNumber).toList();
            List<Long> want = new ArrayList<>();
            for (long n = 0; n < perStream; n++) want.add(n);
            assertEquals(want, frames, "stream " + s + ": one answer per frame, in order");
            for (KafkaRecords.Answer a : answers) assertTrue(a.ok(), "stream " + s + " frame " + a.frameNumber() + ": " + a.error());
        });
        assertEquals(got.size(), got.stream().map(KafkaRecords.Answer::source).distinct().count(), "one answer per input record");
        return byStream;
    }

    @Test
    @Order(1)
    void everyFrameGetsOneResultEqualToTheEngine() throws Exception {
        broker.createTopic("e2e-in", 3);
        broker.createTopic("e2e-out", 3);
        CamstreamWorker w = worker(config("e2e-in", "e2e-out", "e2e"));
        int streams = 3;
        int perStream = 6;
        try (FramePublisher p = new FramePublisher(broker.bootstrap(), "e2e-in", 1 << 20, Map.of())) {
            for (int n = 0; n < perStream; n++) for (int s = 0; s < streams; s++) p.publish(frame(s, n)).get(30, TimeUnit.SECONDS);
        }
        Map<Long, List<KafkaRecords.Answer>> byStream = assertExactlyOnce(collect("e2e-out", streams * perStream), streams, perStream);
        try (TorchModel reference = TorchModel.load(MODEL)) {
            ImagePreprocessor pre = new ImagePreprocessor(PREPROCESSING);
            Explainer explainer = new Explainer(reference, LAYER, Methods.byName("gradcam"), LABELS);
            boolean batched = false;
            for (var e : byStream.entrySet()) {
                for (KafkaRecords.Answer a : e.getValue()) {
                    ExplainResult r = a.result();
                    batched |= r.batchSize() > 1;
                    FloatTensor input;
                    try (Mat bgr = Images.decode(frame(e.getKey(), a.frameNumber()).payload().bytes(), "frame")) {
                        input = pre.toTensor(List.of(bgr));
                    }
                    ExplanationBatch want = explainer.explain(input, Targets.top1(), SIZE, SIZE);
                    assertEquals(want.targetClass()[0], r.maps().get(0).classIndex());
                    assertEquals(want.predictions().get(0).get(0).label(), r.predictions().get(0).label());
                    float[] expected = want.heatmaps().data();
                    float[] actual = r.maps().get(0).values();
                    assertEquals(expected.length, actual.length);
                    for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], TOLERANCE, "pixel " + i + " of " + a);
                }
            }
            assertTrue(batched, "a poll's records were computed as one batch");
        }
        assertTrue(w.isReady(), "ready once partitions are assigned");
        assertTrue(w.metrics().scrape().contains("camstream_kafka_results_total"), "metrics exported");
        w.close(Duration.ofSeconds(10));
        assertNull(w.failure());
    }

    @Test
    @Order(2)
    void aCrashedWorkerAndALeavingOneLoseAndDuplicateNothing() throws Exception {
        broker.createTopic("fault-in", 6);
        broker.createTopic("fault-out", 6);
        WorkerConfig c = config("fault-in", "fault-out", "fault");
        CamstreamWorker a = worker(c.withTransactionalId("fault-a"));
        CamstreamWorker b = worker(c.withTransactionalId("fault-b"));
        CamstreamWorker survivor = worker(c.withTransactionalId("fault-c"));
        int streams = 12;
        int perStream = 12;
        try (FramePublisher p = new FramePublisher(broker.bootstrap(), "fault-in", 1 << 20, Map.of())) {
            for (int n = 0; n < perStream; n++) {
                for (int s = 0; s < streams; s++) p.publish(frame(s, n));
                p.flush();
                if (n == 3) assertTrue(a.crash(), "worker a crashed mid-transaction");
                if (n == 7) b.close(Duration.ofSeconds(30));
                Thread.sleep(300);
            }
        }
        assertExactlyOnce(collect("fault-out", streams * perStream), streams, perStream);
        assertTrue(survivor.isAlive());
        assertNull(b.failure(), "the leaving worker left cleanly");
        assertNull(survivor.failure());
        // the crash left answers in an open transaction that was then aborted: there, uncommitted, but never read
        assertTrue(countUncommitted("fault-out") > streams * perStream, "the crashed batch's records exist, aborted");
        survivor.close(Duration.ofSeconds(10));
    }

    /** Answer records in the log, aborted ones included. */
    private static int countUncommitted(String topic) {
        int n = 0;
        Map<String, Object> p = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(), ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            for (int empty = 0; empty < 5; ) {
                int got = 0;
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(300))) {
                    if (r.headers().lastHeader(KafkaRecords.OPCODE_HEADER) != null) got++;
                }
                n += got;
                empty = got == 0 ? empty + 1 : 0;
            }
        }
        return n;
    }

    @Test
    @Order(3)
    void poisonAndOversizedRecordsGetTypedErrorsAndThePartitionFlows() throws Exception {
        broker.createTopic("poison-in", 1);
        broker.createTopic("poison-out", 1);
        CamstreamWorker w = worker(config("poison-in", "poison-out", "poison").withLimits(8, 60_000, 200_000, 1 << 20));
        Random rnd = new Random(3);
        byte[] garbage = new byte[500];
        rnd.nextBytes(garbage);
        byte[] huge = new byte[300_000];
        rnd.nextBytes(huge);
        byte[] notAnImage = new byte[2000];
        rnd.nextBytes(notAnImage);
        long now = System.currentTimeMillis();
        record In(byte[] value, boolean headers, long timestamp, Object expected) {
        }
        List<In> inputs = List.of(
                new In(KafkaRecords.body(frame(5, 0)), true, now, Opcode.RESULT),
                new In(garbage, true, now, ErrorCode.MALFORMED),
                new In(KafkaRecords.body(frame(5, 2)), false, now, ErrorCode.MALFORMED),
                new In(KafkaRecords.body(withPayload(frame(5, 3), Payload.png(notAnImage))), true, now, ErrorCode.INVALID),
                new In(KafkaRecords.body(withPayload(frame(5, 4), Payload.jpeg(huge))), true, now, ErrorCode.INVALID),
                new In(KafkaRecords.body(new ExplainRequest(1, 5, 5, "gradcam", Target.top1(), 0, 0, new ResultSpec(ResultForm.FLOAT32, 4000, 4000),
                        frame(5, 5).payload())), true, now, ErrorCode.INVALID),
                new In(KafkaRecords.body(frame(5, 6)), true, now - 120_000, ErrorCode.DEADLINE_EXCEEDED),
                new In(KafkaRecords.body(new ExplainRequest(1, 5, 7, "no-such-method", Target.top1(), 0, 0, ResultSpec.of(ResultForm.UINT8),
                        frame(5, 7).payload())), true, now, ErrorCode.INVALID),
                new In(KafkaRecords.body(frame(5, 8)), true, now, Opcode.RESULT));
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of("bootstrap.servers", broker.bootstrap(), "max.request.size", 1 << 20),
                new StringSerializer(), new ByteArraySerializer())) {
            for (In in : inputs) {
                var headers = in.headers() ? KafkaRecords.headers(Opcode.EXPLAIN, Wire.MIN_VERSION) : new RecordHeaders();
                raw.send(new ProducerRecord<>("poison-in", 0, in.timestamp(), "5", in.value(), headers)).get(30, TimeUnit.SECONDS);
            }
        }
        List<KafkaRecords.Answer> got = collect("poison-out", inputs.size());
        assertEquals(inputs.size(), got.size());
        for (int i = 0; i < inputs.size(); i++) {
            KafkaRecords.Answer a = got.get(i);
            assertEquals("poison-in/0/" + i, a.source(), "answers in input order");
            if (inputs.get(i).expected() == Opcode.RESULT) {
                assertTrue(a.ok(), "record " + i + ": " + a.error());
            } else {
                assertTrue(!a.ok(), "record " + i + " is answered with an error");
                assertEquals(inputs.get(i).expected(), a.error().errorCode(), "record " + i + ": " + a.error().message());
            }
        }
        assertEquals(8L, got.get(8).frameNumber());
        assertEquals(6L, got.get(6).frameNumber(), "an error names the frame when its body could be read");
        assertTrue(w.isAlive() && w.failure() == null, "the worker keeps going");
        assertEquals(4.0, w.metrics().errorsCount(ErrorCode.INVALID));
        assertEquals(2.0, w.metrics().errorsCount(ErrorCode.MALFORMED));
        assertEquals(1.0, w.metrics().errorsCount(ErrorCode.DEADLINE_EXCEEDED));
        w.close(Duration.ofSeconds(10));
    }

    private static ExplainRequest withPayload(ExplainRequest r, Payload p) {
        return new ExplainRequest(r.requestId(), r.streamId(), r.frameNumber(), r.method(), r.target(), r.deadlineMicros(), r.priority(), r.result(), p);
    }

    @Test
    @Order(4)
    void aFrameOverTheRecordLimitIsRefusedByThePublisher() {
        try (FramePublisher p = new FramePublisher(broker.bootstrap(), "e2e-in", 256 * 1024, Map.of())) {
            var f = p.publish(withPayload(frame(1, 0), Payload.jpeg(new byte[300_000])));
            var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof io.camstream.InvalidInputException, e.toString());
        }
    }

    @Test
    @Order(5)
    void publishAndCollectCommandsRoundTripAVideo(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        broker.createTopic("cli-in", 1);
        broker.createTopic("cli-out", 1);
        CamstreamWorker w = worker(config("cli-in", "cli-out", "cli"));
        String bs = broker.bootstrap();
        assertEquals(0, io.camstream.cli.Main.execute("publish", "--bootstrap", bs, "--topic", "cli-in", "--input", "demo/video.mp4", "--stream", "7",
                "--max-frames", "5", "--result", "uint8", "--result-size", "64x48"));
        Path npy = tmp.resolve("maps");
        Path video = tmp.resolve("maps.avi");
        assertEquals(0, io.camstream.cli.Main.execute("collect", "--bootstrap", bs, "--topic", "cli-out", "--stream", "7", "--frames", "5",
                "--npy-dir", npy.toString(), "--output", video.toString()));
        for (int n = 0; n < 5; n++) {
            FloatTensor maps = io.camstream.tensor.Npy.readFloat(npy.resolve(String.format("frame_%06d.npy", n)));
            assertEquals(List.of(1, 64, 48), List.of(maps.dim(0), maps.dim(1), maps.dim(2)), "frame " + n);
            float max = 0;
            for (float v : maps.data()) {
                assertTrue(v >= 0 && v <= 1, "normalised map values");
                max = Math.max(max, v);
            }
            assertEquals(1.0f, max, 1f / 255, "a normalised map peaks at 1");
        }
        assertTrue(Files.size(video) > 1000, "video written");
        // another stream's answers are not this stream's
        assertEquals(1, io.camstream.cli.Main.execute("collect", "--bootstrap", bs, "--topic", "cli-out", "--stream", "8", "--idle-ms", "1500",
                "--npy-dir", tmp.resolve("none").toString()));
        w.close(Duration.ofSeconds(10));
    }

    @Test
    @Order(6)
    void commandsRefuseBadSettingsWithAClearError() {
        assertEquals(2, io.camstream.cli.Main.execute("worker", "--bootstrap", broker.bootstrap(), "--in", "same", "--out", "same",
                "--config", "demo/model.json"));
        assertEquals(2, io.camstream.cli.Main.execute("publish", "--bootstrap", broker.bootstrap(), "--topic", "x", "--input", "demo/video.mp4",
                "--stream", "-1"));
        assertEquals(2, io.camstream.cli.Main.execute("collect", "--bootstrap", broker.bootstrap(), "--topic", "x", "--stream", "1"));
    }

    @Test
    @Order(7)
    void workersRideOutABrokerRestart() throws Exception {
        broker.createTopic("restart-in", 2);
        broker.createTopic("restart-out", 2);
        CamstreamWorker w = worker(config("restart-in", "restart-out", "restart"));
        int streams = 4;
        int perStream = 10;
        try (FramePublisher p = new FramePublisher(broker.bootstrap(), "restart-in", 1 << 20, Map.of())) {
            for (int n = 0; n < perStream; n++) {
                for (int s = 0; s < streams; s++) p.publish(frame(s, n));
                p.flush();
                if (n == 4) broker.restartBroker();
            }
        }
        assertExactlyOnce(collect("restart-out", streams * perStream), streams, perStream);
        assertTrue(w.isAlive() && w.failure() == null, "the worker reconnected: " + w.failure());
        w.close(Duration.ofSeconds(10));
    }
}
