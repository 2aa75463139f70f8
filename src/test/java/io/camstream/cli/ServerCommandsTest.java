package io.camstream.cli;

import io.camstream.Fixtures;
import io.camstream.explain.Labels;
import io.camstream.image.OverlayRenderer;
import io.camstream.image.Preprocessing;
import io.camstream.model.ExecutionDevice;
import io.camstream.server.CamstreamServer;
import io.camstream.server.ServerConfig;
import io.camstream.server.TorchBackend;
import io.camstream.tensor.FloatTensor;
import io.camstream.tensor.Npy;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `stream` and `load` against a live server with the demo model; `serve`'s refusals of bad options. */
class ServerCommandsTest {
    static CamstreamServer server;

    @BeforeAll
    static void start() {
        Preprocessing prep = Preprocessing.imagenet(128);
        TorchBackend backend = TorchBackend.load(Fixtures.DEMO.resolve("model.pt"), ExecutionDevice.cpu(), "features.4", 128, 128, Labels.read(Fixtures.DEMO.resolve("labels.txt")));
        server = CamstreamServer.start(ServerConfig.builder().port(0).maxBatch(8).build(), backend, prep, new OverlayRenderer("jet", 0.5));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String address() {
        return "127.0.0.1:" + server.port();
    }

    @Test
    void streamWritesAnOverlayVideoAndPerFrameMaps(@TempDir Path out) throws Exception {
        Path video = out.resolve("overlay.mp4");
        Path maps = out.resolve("maps");
        int rc = Main.execute("stream", "--server", address(), "--input", Fixtures.DEMO.resolve("video.mp4").toString(), "--output", video.toString(),
                "--npy-dir", maps.toString(), "--max-frames", "20", "--topk", "2");
        assertEquals(0, rc);
        int frames = 0;
        try (VideoSource v = VideoSource.open(video.toString())) {
            for (Mat m = v.next(); m != null; m = v.next()) {
                assertEquals(2 * 256, m.cols(), "--topk 2: both overlays side by side");
                m.close();
                frames++;
            }
        }
        assertEquals(20, frames);
        try (Stream<Path> files = Files.list(maps)) {
            assertEquals(20, files.count());
        }
        FloatTensor first = Npy.readFloat(maps.resolve("frame_000000.npy"));
        assertArrayEquals(new int[]{2, 128, 128}, first.shape());
        for (float v : first.data()) assertTrue(v >= 0f && v <= 1f);
    }

    @Test
    void streamAsksForAContrastAndGetsADifferentMapThanForTheClassAlone(@TempDir Path out) throws Exception {
        String video = Fixtures.DEMO.resolve("video.mp4").toString();
        assertEquals(0, Main.execute("stream", "--server", address(), "--input", video, "--output", out.resolve("c.mp4").toString(),
                "--npy-dir", out.resolve("contrast").toString(), "--max-frames", "3", "--target", "3-1"));
        assertEquals(0, Main.execute("stream", "--server", address(), "--input", video, "--output", out.resolve("p.mp4").toString(),
                "--npy-dir", out.resolve("plain").toString(), "--max-frames", "3", "--target", "3"));
        FloatTensor contrast = Npy.readFloat(out.resolve("contrast").resolve("frame_000000.npy"));
        FloatTensor plain = Npy.readFloat(out.resolve("plain").resolve("frame_000000.npy"));
        assertArrayEquals(new int[]{1, 128, 128}, contrast.shape());
        double diff = 0;
        for (int i = 0; i < plain.data().length; i++) diff = Math.max(diff, Math.abs(plain.data()[i] - contrast.data()[i]));
        assertTrue(diff > 1e-3, "the contrast 3-1 reached the server (its map is not class 3's): max difference " + diff);
    }

    @Test
    void streamWritesMotionJpegAvi(@TempDir Path out) throws Exception {
        Path video = out.resolve("overlay.avi");
        assertEquals(0, Main.execute("stream", "--server", address(), "--input", Fixtures.DEMO.resolve("video.mp4").toString(), "--output", video.toString(),
                "--max-frames", "5", "--send", "raw"));
        int frames = 0;
        try (VideoSource v = VideoSource.open(video.toString())) {
            for (Mat m = v.next(); m != null; m = v.next()) {
                m.close();
                frames++;
            }
        }
        assertEquals(5, frames);
    }

    @Test
    void loadReportsAndLosesNothing() {
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int rc;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            rc = Main.execute("load", "--server", address(), "--streams", "2", "--fps", "10", "--seconds", "1", "--json");
        } finally {
            System.setOut(stdout);
        }
        String report = captured.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, report);
        assertTrue(report.contains("lost      0"), report);
        assertTrue(report.contains("\"lost\":0"), report);
        assertTrue(report.contains("latency   p50"), report);
    }

    @Test
    void serveNamesTheMetricsPortWhenThatIsTheOneInUse() throws Exception {
        try (java.net.ServerSocket held = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int port = held.getLocalPort();
            PrintStream stderr = System.err;
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            int rc;
            try {
                System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
                rc = Main.execute("serve", "--config", "demo/model.json", "--port", "0", "--metrics-port", String.valueOf(port));
            } finally {
                System.setErr(stderr);
            }
            String err = captured.toString(StandardCharsets.UTF_8);
            assertEquals(2, rc, err);
            assertTrue(err.contains("camstream: error: cannot listen on 127.0.0.1:" + port + " for metrics and health checks (--metrics-port): port "
                    + port + " is already in use by another process; choose another --metrics-port, or --metrics-port -1"), err);
            assertTrue(!err.contains("bind(..)") && !err.contains("Exception"), err);
        }
    }

    @Test
    void badOptionsAreRefusedWithStatusTwo(@TempDir Path out) throws Exception {
        assertEquals(2, Main.execute("serve", "--config", "demo/model.json", "--tls-cert", "x.pem", "--port", "0"));
        assertEquals(2, Main.execute("serve", "--config", "demo/model.json", "--max-batch", "0", "--port", "0"));
        CliRun missing = CliRun.of("stream", "--server", address(), "--input", "nope.mp4", "--output", out.resolve("o.mp4").toString());
        assertEquals(2, missing.rc());
        assertTrue(missing.out().contains("cannot open video nope.mp4: no such file"), missing.out());
        Path notVideo = Files.writeString(out.resolve("notes.mp4"), "not a video");
        CliRun unreadable = CliRun.of("stream", "--server", address(), "--input", notVideo.toString(), "--output", out.resolve("o2.mp4").toString());
        assertEquals(2, unreadable.rc());
        assertTrue(unreadable.out().contains("cannot open video") && !unreadable.out().contains("FFmpegLogCallback")
                && !unreadable.out().contains("setFormat"), "no JavaCV internals in the message: " + unreadable.out());
        assertEquals(2, Main.execute("stream", "--server", address(), "--input", Fixtures.DEMO.resolve("video.mp4").toString(),
                "--output", out.resolve("o.gif").toString(), "--max-frames", "1"));
        assertEquals(2, Main.execute("load", "--server", "127.0.0.1:1", "--seconds", "1"));
    }
}
