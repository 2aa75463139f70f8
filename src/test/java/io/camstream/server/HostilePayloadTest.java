package io.camstream.server;

import io.camstream.protocol.ErrorCode;
import io.camstream.protocol.ErrorMessage;
import io.camstream.protocol.ExplainRequest;
import io.camstream.protocol.ExplainResult;
import io.camstream.protocol.Hello;
import io.camstream.protocol.HelloOk;
import io.camstream.protocol.Payload;
import io.camstream.protocol.ResultForm;
import io.camstream.protocol.ResultSpec;
import io.camstream.protocol.Target;
import io.camstream.protocol.Wire;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.camstream.image.ImageHeaderTest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Well-framed requests with hostile contents, and clients at the protocol's smallest limits, on a live server. */
class HostilePayloadTest {
    static CamstreamServer server;
    /** A file path, a C++ source, a Java exception's name or a C++ namespace: what users cannot act on. */
    private static final java.util.regex.Pattern LIBRARY_INTERNALS =
            java.util.regex.Pattern.compile("(^|[\\s(:'\"])/[\\w.-]+/|\\.(cpp|hpp|h|java):|Exception|Error:|cv::|c10::");

    @BeforeAll
    static void start() {
        server = TestServers.start(TestServers.config().build(), new FakeBackend());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static ExplainRequest tensorRequest(long id, float[] chw) {
        return new ExplainRequest(id, 0, id, "gradcam", Target.top1(), 0, 0, ResultSpec.of(ResultForm.UINT8),
                Payload.float32(FakeBackend.SIZE, FakeBackend.SIZE, chw));
    }

    private static ExplainRequest imageRequest(long id, Payload payload) {
        return new ExplainRequest(id, 0, id, "gradcam", Target.top1(), 0, 0, new ResultSpec(ResultForm.UINT8, 8, 8), payload);
    }

    /** Resident memory of this JVM (the server's process) in bytes, from /proc/self/status. */
    private static long statusBytes(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
        throw new AssertionError(field + " not in /proc/self/status");
    }

    @Test
    void imagesDeclaringTooManyPixelsAreInvalidBeforeDecodingAndMemoryStaysBounded() throws Exception {
        byte[] bomb = ImageHeaderTest.blackPng(20000, 20000); // ~50 KB that would decode to 1.2 GB of colour pixels
        assertTrue(bomb.length < 100_000, "bomb of " + bomb.length + " bytes");
        long before = statusBytes("VmRSS");
        Files.writeString(Path.of("/proc/self/clear_refs"), "5"); // resets VmHWM, the peak resident size, to now
        int clients = 6;
        List<RawConnection> connections = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) connections.add(RawConnection.handshaken(server.port()));
            for (RawConnection c : connections) c.send(imageRequest(1, Payload.png(bomb)));
            for (RawConnection c : connections) {
                ErrorMessage e = assertInstanceOf(ErrorMessage.class, c.read());
                assertEquals(ErrorCode.INVALID, e.errorCode(), e.message());
                assertTrue(e.message().contains("20000x20000"), e.message());
            }
        } finally {
            for (RawConnection c : connections) c.close();
        }
        long peakGrowth = statusBytes("VmHWM") - before;
        assertTrue(peakGrowth < 256L << 20, "resident memory grew by " + (peakGrowth >> 20) + " MiB while refusing " + clients + " bombs");
    }

    @Test
    void hugeDeclaredSizesAndBadImagesGetMessagesWithoutLibraryInternals() throws Exception {
        byte[] jpeg = ImageHeaderTest.withJpegSize(ImageHeaderTest.encoded(".jpg", 16, 16), 40000, 40000);
        byte[] cut = Arrays.copyOf(ImageHeaderTest.encoded(".png", 64, 64), 60);
        try (RawConnection c = RawConnection.handshaken(server.port())) {
            c.send(imageRequest(1, Payload.png(ImageHeaderTest.blackPng(40000, 40000))));
            c.send(imageRequest(2, Payload.jpeg(jpeg)));
            c.send(imageRequest(3, Payload.png(cut)));
            c.send(imageRequest(4, Payload.jpeg(ImageHeaderTest.encoded(".png", 16, 16))));
            for (int i = 0; i < 4; i++) {
                ErrorMessage e = assertInstanceOf(ErrorMessage.class, c.read());
                assertEquals(ErrorCode.INVALID, e.errorCode(), e.message());
                assertFalse(LIBRARY_INTERNALS.matcher(e.message()).find(), "library internals in: " + e.message());
            }
            c.send(imageRequest(5, Payload.jpeg(ImageHeaderTest.encoded(".jpg", 48, 40))));
            assertEquals(5, assertInstanceOf(ExplainResult.class, c.read()).requestId());
        }
    }

    @Test
    void decodedFramesCountAgainstTheServersDecodeMemory() throws Exception {
        FakeBackend backend = new FakeBackend();
        long pixels = 1000 * 1000;
        // room for exactly one decoded 1000x1000 frame; an overlay request keeps its frame until it is answered
        ServerConfig config = TestServers.config().maxBatch(1).maxImagePixels(pixels).decodeMemoryBytes(pixels * InputDecoder.DECODE_BYTES_PER_PIXEL).build();
        byte[] jpeg = ImageHeaderTest.encoded(".jpg", 1000, 1000);
        try (CamstreamServer s = TestServers.start(config, backend); RawConnection c = RawConnection.handshaken(s.port())) {
            backend.hold();
            ResultSpec overlay = new ResultSpec(ResultForm.JPEG_OVERLAY, 64, 64);
            c.send(new ExplainRequest(1, 0, 1, "gradcam", Target.top1(), 0, 0, overlay, Payload.jpeg(jpeg)));
            assertTrue(backend.awaitBatchEntered(10));
            c.send(new ExplainRequest(2, 0, 2, "gradcam", Target.top1(), 0, 0, overlay, Payload.jpeg(jpeg)));
            ErrorMessage e = assertInstanceOf(ErrorMessage.class, c.read());
            assertEquals(2, e.requestId());
            assertEquals(ErrorCode.OVERLOADED, e.errorCode(), e.message());
            backend.open();
            assertEquals(1, assertInstanceOf(ExplainResult.class, c.read()).requestId());
            // answered: its frame's memory is back, and the same frame is decoded again
            c.send(new ExplainRequest(3, 0, 3, "gradcam", Target.top1(), 0, 0, overlay, Payload.jpeg(jpeg)));
            assertEquals(3, assertInstanceOf(ExplainResult.class, c.read()).requestId());
        }
    }

    @Test
    void internalErrorsDoNotCarryExceptionTexts() throws Exception {
        FakeBackend failing = new FakeBackend();
        failing.failWith = new IllegalStateException("/build/libtorch/aten/src/ATen/native/Conv.cpp:42: kaboom");
        try (CamstreamServer s = TestServers.start(TestServers.config().build(), failing); RawConnection c = RawConnection.handshaken(s.port())) {
            c.send(TestServers.request(1, 1).withRequestId(1));
            ErrorMessage e = assertInstanceOf(ErrorMessage.class, c.read());
            assertEquals(ErrorCode.INTERNAL, e.errorCode());
            assertFalse(e.message().contains("/build") || e.message().contains("IllegalStateException") || e.message().contains("kaboom"), e.message());
            assertTrue(e.message().contains("server's log"), e.message());
        }
    }

    @Test
    void nonFiniteTensorValuesAreInvalid() throws IOException {
        int n = 3 * FakeBackend.SIZE * FakeBackend.SIZE;
        float[][] bad = {new float[n], new float[n], new float[n]};
        bad[0][5] = Float.NaN;
        bad[1][n - 1] = Float.POSITIVE_INFINITY;
        bad[2][1000] = Float.NEGATIVE_INFINITY;
        try (RawConnection c = RawConnection.handshaken(server.port())) {
            for (int i = 0; i < bad.length; i++) {
                c.send(tensorRequest(i + 1, bad[i]));
                ErrorMessage e = assertInstanceOf(ErrorMessage.class, c.read());
                assertEquals(ErrorCode.INVALID, e.errorCode(), e.message());
                assertEquals(i + 1, e.requestId());
                assertTrue(e.message().contains("finite"), e.message());
            }
            // the same tensor with finite values is served
            c.send(tensorRequest(9, new float[n]));
            assertEquals(9, assertInstanceOf(ExplainResult.class, c.read()).requestId());
        }
    }

    @Test
    void aClientWithTheSmallestFrameLimitGetsSmallResults() throws IOException {
        try (RawConnection c = new RawConnection(server.port())) {
            c.send(new Hello(1, 1, Wire.HANDSHAKE_FRAME_LIMIT, "small frames", ""));
            assertInstanceOf(HelloOk.class, c.read());
            ExplainRequest r = TestServers.request(1, 1);
            // 8x8 UINT8 is a 64-byte map: the whole RESULT is a few hundred bytes
            c.send(new ExplainRequest(1, 0, 1, r.method(), r.target(), 0, 0, new ResultSpec(ResultForm.UINT8, 8, 8), r.payload()));
            ExplainResult ok = assertInstanceOf(ExplainResult.class, c.read());
            assertEquals(64, ok.maps().get(0).data().length);
            int frame = RawConnection.encode(ok).length;
            assertTrue(frame <= Wire.HANDSHAKE_FRAME_LIMIT, "frame of " + frame + " bytes");
            // 32x32 FLOAT32 is 4096 bytes of map alone: it cannot fit, and the answer says so
            c.send(new ExplainRequest(2, 0, 2, r.method(), r.target(), 0, 0, new ResultSpec(ResultForm.FLOAT32, 32, 32), r.payload()));
            ErrorMessage e = assertInstanceOf(ErrorMessage.class, c.read());
            assertEquals(ErrorCode.INVALID, e.errorCode(), e.message());
            assertTrue(e.message().contains(String.valueOf(Wire.HANDSHAKE_FRAME_LIMIT)), e.message());
        }
    }
}
