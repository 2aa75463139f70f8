package io.camstream.cli;

import io.camstream.Fixtures;
import io.camstream.explain.ExplanationBatch;
import io.camstream.explain.Labels;
import io.camstream.explain.Targets;
import io.camstream.image.OverlayRenderer;
import io.camstream.image.Preprocessing;
import io.camstream.model.ExecutionDevice;
import io.camstream.server.CamstreamServer;
import io.camstream.server.InferenceBackend;
import io.camstream.server.ModelInfo;
import io.camstream.server.ServerConfig;
import io.camstream.server.TorchBackend;
import io.camstream.tensor.FloatTensor;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `stream` (and `load`) when things go wrong: a server that goes away, Ctrl-C, requests the server cannot serve, bad input; and
 * `--topk` overlays. The demo video and model, servers started here on loopback.
 */
class StreamRobustnessTest {
    private static final String VIDEO = Fixtures.DEMO.resolve("video.mp4").toString();
    private static final int VIDEO_FRAMES = 200;
    /** 40 ms a batch, so that a test can act mid-video. */
    static CamstreamServer server;

    @BeforeAll
    static void start() {
        server = startServer(40);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** The demo model at 128x128; each batch takes at least {@code slowMillis} (so a test can act mid-video). */
    private static CamstreamServer startServer(long slowMillis) {
        TorchBackend real = TorchBackend.load(Fixtures.DEMO.resolve("model.pt"), ExecutionDevice.cpu(), "features.4", 128, 128,
                Labels.read(Fixtures.DEMO.resolve("labels.txt")));
        InferenceBackend backend = slowMillis == 0 ? real : new InferenceBackend() {
            @Override
            public ModelInfo info() {
                return real.info();
            }

            @Override
            public ExplanationBatch explain(String method, Targets targets, FloatTensor input) {
                try {
                    Thread.sleep(slowMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return real.explain(method, targets, input);
            }

            @Override
            public void close() {
                real.close();
            }
        };
        return CamstreamServer.start(ServerConfig.builder().host("127.0.0.1").port(0).maxBatch(4).drainTimeout(Duration.ofMillis(500)).build(),
                backend, Preprocessing.imagenet(128), new OverlayRenderer("jet", 0.5));
    }

    private static String address(CamstreamServer s) {
        return "127.0.0.1:" + s.port();
    }

    private static int frames(Path video, int expectedWidth) throws Exception {
        int n = 0;
        try (VideoSource v = VideoSource.open(video.toString())) {
            for (Mat m = v.next(); m != null; m = v.next()) {
                assertEquals(expectedWidth, m.cols());
                m.close();
                n++;
            }
        }
        return n;
    }

    @Test
    void requestsTheServerCannotServeAreRefusedAtTheHandshake(@TempDir Path out) throws Exception {
        Path video = out.resolve("o.mp4");
        CliRun r = CliRun.of("stream", "--server", address(server), "--input", VIDEO, "--output", video.toString(), "--target", "7");
        assertEquals(2, r.rc(), r.out());
        assertTrue(r.out().contains("--target 7 is out of range: the server's model has 5 classes"), r.out());
        assertFalse(Files.exists(video), "nothing streamed");
        assertEquals(2, CliRun.of("stream", "--server", address(server), "--input", VIDEO, "--output", video.toString(), "--topk", "6").rc());
        CliRun contrast = CliRun.of("stream", "--server", address(server), "--input", VIDEO, "--output", video.toString(), "--target", "2-9");
        assertEquals(2, contrast.rc(), contrast.out());
        assertTrue(contrast.out().contains("--target 2-9 is out of range"), contrast.out());
        CliRun same = CliRun.of("stream", "--server", address(server), "--input", VIDEO, "--output", video.toString(), "--target", "2-2");
        assertEquals(2, same.rc(), same.out());
        assertTrue(same.out().contains("two different classes"), same.out());
        assertEquals(2, CliRun.of("stream", "--server", address(server), "--input", VIDEO, "--output", video.toString(), "--max-frames", "0").rc());
    }

    @Test
    void anUnreadableInputFailsWithAClearMessage(@TempDir Path out) throws Exception {
        Path corrupt = out.resolve("corrupt.jpg");
        Files.write(corrupt, new byte[]{(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0, 1, 2, 3, 4, 5, 6, 7});
        CliRun r = CliRun.of("stream", "--server", address(server), "--input", corrupt.toString(), "--output", out.resolve("o.mp4").toString());
        assertEquals(2, r.rc(), r.out());
        assertTrue(r.out().contains("camstream: error: ") && r.out().contains(corrupt.toString()), r.out());
    }

    @Test
    void topkWritesEveryOverlaySideBySide(@TempDir Path out) throws Exception {
        Path video = out.resolve("o.avi");
        assertEquals(0, CliRun.of("stream", "--server", address(server), "--input", VIDEO, "--output", video.toString(), "--topk", "3",
                "--max-frames", "4").rc());
        assertEquals(4, frames(video, 3 * 256));
        try (VideoSource v = VideoSource.open(video.toString()); Mat m = v.next()) {
            // the three tiles overlay different classes' maps on the same frame: they differ
            double d01 = meanAbsDiff(m, 0, 1);
            double d12 = meanAbsDiff(m, 1, 2);
            assertTrue(d01 > 1 && d12 > 1, "tiles differ: " + d01 + ", " + d12);
        }
    }

    private static double meanAbsDiff(Mat m, int a, int b) {
        byte[] px = new byte[m.rows() * m.cols() * 3];
        m.data().get(px);
        int w = m.cols() / 3;
        long sum = 0;
        for (int y = 40; y < m.rows(); y++) { // below the titles
            for (int x = 0; x < w * 3; x++) {
                sum += Math.abs((px[(y * m.cols() + a * w) * 3 + x] & 0xff) - (px[(y * m.cols() + b * w) * 3 + x] & 0xff));
            }
        }
        return (double) sum / ((m.rows() - 40) * w * 3);
    }

    @Test
    void aServerThatGoesAwayFailsFastKeepingWhatWasWritten(@TempDir Path out) throws Exception {
        CamstreamServer doomed = startServer(40);
        Path video = out.resolve("o.mp4");
        long start = System.nanoTime();
        CompletableFuture<CliRun> r = CompletableFuture.supplyAsync(() -> CliRun.of("stream", "--server", address(doomed), "--input", VIDEO,
                "--output", video.toString(), "--depth", "2", "--reconnect-seconds", "1"));
        waitForFile(video);
        Thread.sleep(500);
        doomed.close();
        CliRun done = r.get(30, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(2, done.rc(), done.out());
        assertTrue(done.out().contains("lost the server at " + address(doomed)), done.out());
        assertFalse(done.out().contains("io.netty") || done.out().contains("Exception"), done.out());
        int kept = frames(video, 256);
        assertTrue(kept > 0 && kept < VIDEO_FRAMES, kept + " frames kept");
        assertTrue(seconds < 20, "took " + seconds + " s");
    }

    @Test
    void withContinueAServerThatGoesAwayLeavesFramesWithoutHeatmaps(@TempDir Path out) throws Exception {
        CamstreamServer doomed = startServer(40);
        Path video = out.resolve("o.avi");
        CompletableFuture<CliRun> r = CompletableFuture.supplyAsync(() -> CliRun.of("stream", "--server", address(doomed), "--input", VIDEO,
                "--output", video.toString(), "--depth", "2", "--reconnect-seconds", "0.5", "--on-server-loss", "continue", "--max-frames", "60"));
        waitForFile(video);
        Thread.sleep(300);
        doomed.close();
        CliRun done = r.get(30, TimeUnit.SECONDS);
        assertEquals(1, done.rc(), done.out());
        assertTrue(done.out().contains("writing frames without heatmaps"), done.out());
        Matcher m = Pattern.compile("streamed 60 frame\\(s\\) \\((\\d+) without a heatmap\\)").matcher(done.out());
        assertTrue(m.find(), done.out());
        int without = Integer.parseInt(m.group(1));
        assertTrue(without > 0 && without < 60, without + " without");
        assertEquals(60, frames(video, 256));
    }

    @Test
    void loadExitsNonZeroAndSaysWhyWhenRequestsFailed() throws Exception {
        assertEquals(2, CliRun.of("load", "--server", address(server), "--seconds", "1", "--target", "7").rc());
        CamstreamServer doomed = startServer(20);
        CompletableFuture<CliRun> r = CompletableFuture.supplyAsync(() -> CliRun.of("load", "--server", address(doomed), "--streams", "2", "--fps", "10",
                "--seconds", "3", "--drain-seconds", "2"));
        Thread.sleep(1500);
        doomed.close();
        CliRun done = r.get(30, TimeUnit.SECONDS);
        assertEquals(1, done.rc(), done.out());
        assertTrue(Pattern.compile("load: \\d+ of \\d+ requests failed").matcher(done.out()).find(), done.out());
        assertTrue(done.out().contains("not sent: there was no usable connection"), done.out());
    }

    private static void waitForFile(Path p) throws InterruptedException {
        long until = System.nanoTime() + 20_000_000_000L;
        while (!Files.exists(p)) {
            if (System.nanoTime() > until) throw new AssertionError(p + " not written within 20 s");
            Thread.sleep(20);
        }
    }

    /** mp4 keeps its index at the end (a killed writer leaves "moov atom not found"), mkv its cues: both need the close. */
    @ParameterizedTest
    @ValueSource(strings = {"mp4", "mkv"})
    void ctrlCKeepsAReadableVideoAndTheMapsOfEveryFrameWritten(String container, @TempDir Path out) throws Exception {
        Path video = out.resolve("o." + container);
        Path maps = out.resolve("maps");
        Path log = out.resolve("stderr.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Djava.library.path=", "-cp", System.getProperty("java.class.path"),
                "io.camstream.cli.Main", "stream", "--server", address(server), "--input", VIDEO, "--output", video.toString(),
                "--npy-dir", maps.toString(), "--depth", "2"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long until = System.nanoTime() + 60_000_000_000L;
            while (framesShown(log) < 5) {
                assertTrue(p.isAlive(), () -> "stream ended early: " + read(log));
                if (System.nanoTime() > until) throw new AssertionError("no progress within 60 s: " + read(log));
                Thread.sleep(50);
            }
            assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "stream did not stop within 30 s of SIGINT");
        } finally {
            p.destroyForcibly();
        }
        assertNotEquals(0, p.exitValue(), "interrupted");
        int kept = frames(video, 256);
        assertTrue(kept >= 5 && kept < VIDEO_FRAMES, kept + " frames kept; " + read(log));
        try (Stream<Path> files = Files.list(maps)) {
            assertEquals(kept, files.count(), "one map file per frame written");
        }
    }

    private static final Pattern PROGRESS = Pattern.compile("(\\d+)/" + VIDEO_FRAMES + " frames");

    private static int framesShown(Path log) {
        Matcher m = PROGRESS.matcher(read(log));
        int last = 0;
        while (m.find()) last = Integer.parseInt(m.group(1));
        return last;
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.ISO_8859_1) : "";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
