package io.camstream.server;

import io.camstream.client.CamstreamClient;
import io.camstream.protocol.ErrorCode;
import io.camstream.protocol.ErrorMessage;
import io.camstream.protocol.ExplainResult;
import io.camstream.protocol.Hello;
import io.camstream.protocol.HelloOk;
import io.camstream.protocol.Ping;
import io.camstream.protocol.Pong;
import io.camstream.protocol.Wire;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad bytes on a live server: each gets a typed error or its connection closed, the server stays up, and a
 * well-behaved client connected throughout keeps being served.
 */
class MalformedInputTest {
    static FakeBackend backend;
    static CamstreamServer server;
    static CamstreamClient bystander;

    @BeforeAll
    static void start() {
        backend = new FakeBackend();
        server = TestServers.start(TestServers.config().build(), backend);
        bystander = TestServers.client(server);
        assertBystanderServed();
    }

    @AfterAll
    static void stop() {
        assertBystanderServed();
        bystander.close();
        server.close();
    }

    static void assertBystanderServed() {
        ExplainResult r = bystander.explain(TestServers.request(42, 1)).orTimeout(10, TimeUnit.SECONDS).join();
        assertEquals(42, r.frameNumber());
    }

    private static void assertErrorThenClose(RawConnection c, ErrorCode code, long requestId) throws IOException {
        ErrorMessage e = assertInstanceOf(ErrorMessage.class, c.read());
        assertEquals(code, e.errorCode(), e.message());
        assertEquals(requestId, e.requestId());
        assertSame(RawConnection.CLOSED, c.read());
    }

    @Test
    void randomBytesGetAnErrorOrAClose() throws IOException {
        Random rnd = new Random(1);
        for (int trial = 0; trial < 20; trial++) {
            byte[] garbage = new byte[1 + rnd.nextInt(2000)];
            rnd.nextBytes(garbage);
            if (trial % 2 == 1) {
                // start like a frame, so the header checks after the magic get exercised too
                ByteBuffer.wrap(garbage).order(ByteOrder.LITTLE_ENDIAN).putInt(0, Wire.MAGIC);
            }
            try (RawConnection c = new RawConnection(server.port())) {
                c.sendBytes(garbage);
                c.shutdownOutput();
                Object first = c.read();
                if (first instanceof ErrorMessage e) {
                    assertEquals(ErrorCode.MALFORMED, e.errorCode(), e.message());
                    assertTrue(c.awaitClose(5), "connection should close after a protocol error before the handshake");
                } else {
                    assertSame(RawConnection.CLOSED, first);
                }
            }
        }
        assertBystanderServed();
    }

    @Test
    void wrongMagicIsRefusedAndClosed() throws IOException {
        try (RawConnection c = new RawConnection(server.port())) {
            c.sendBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
            assertErrorThenClose(c, ErrorCode.MALFORMED, 0);
        }
        assertBystanderServed();
    }

    @Test
    void oversizedLengthIsRefusedFromTheHeader() throws IOException {
        try (RawConnection c = RawConnection.handshaken(server.port())) {
            byte[] header = RawConnection.encode(new Ping(5, 0));
            ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).putInt(12, 1 << 30);
            c.sendBytes(java.util.Arrays.copyOf(header, Wire.HEADER_BYTES));
            assertErrorThenClose(c, ErrorCode.MALFORMED, 0);
        }
        assertBystanderServed();
    }

    @Test
    void framesLargerThanTheHandshakeLimitAreRefusedBeforeTheHandshake() throws IOException {
        try (RawConnection c = new RawConnection(server.port())) {
            c.send(new Hello(1, 1, Wire.MAX_FRAME_LIMIT, "x".repeat(200), "t".repeat(1000)));
            c.send(new io.camstream.protocol.Goodbye("y".repeat(5000)));
            // the HELLO itself is fine; the oversized frame after it breaks the connection
            assertInstanceOf(HelloOk.class, c.read());
        }
        try (RawConnection c = new RawConnection(server.port())) {
            c.send(new io.camstream.protocol.Goodbye("y".repeat(5000)));
            assertErrorThenClose(c, ErrorCode.MALFORMED, 0);
        }
    }

    @Test
    void truncatedFrameThenEndOfStreamClosesTheConnection() throws IOException {
        try (RawConnection c = RawConnection.handshaken(server.port())) {
            byte[] frame = RawConnection.encode(TestServers.request(1, 1).withRequestId(3));
            c.sendBytes(java.util.Arrays.copyOf(frame, frame.length / 2));
            c.shutdownOutput();
            assertSame(RawConnection.CLOSED, c.read());
        }
        assertBystanderServed();
    }

    @Test
    void theHandshakeAgreesOnTheHighestCommonVersion() throws IOException {
        for (int[] offer : new int[][]{{1, 1, 1}, {1, 2, 2}, {2, 2, 2}, {1, 9, Wire.VERSION}}) {
            try (RawConnection c = new RawConnection(server.port())) {
                c.send(new Hello(offer[0], offer[1], Wire.MAX_FRAME_LIMIT, "client", ""));
                assertEquals(offer[2], assertInstanceOf(HelloOk.class, c.read()).version(), "offer " + offer[0] + ".." + offer[1]);
            }
        }
    }

    @Test
    void unsupportedVersionIsRefusedAndClosed() throws IOException {
        try (RawConnection c = new RawConnection(server.port())) {
            c.send(new Hello(Wire.VERSION + 1, Wire.VERSION + 4, Wire.MAX_FRAME_LIMIT, "future client", ""));
            assertErrorThenClose(c, ErrorCode.UNSUPPORTED_VERSION, 0);
        }
    }

    @Test
    void requestBeforeTheHandshakeIsRefusedAndClosed() throws IOException {
        try (RawConnection c = new RawConnection(server.port())) {
            c.send(TestServers.request(1, 1).withRequestId(77));
            assertErrorThenClose(c, ErrorCode.MALFORMED, 77);
        }
        try (RawConnection c = new RawConnection(server.port())) {
            c.send(new Ping(9, 1));
            assertErrorThenClose(c, ErrorCode.MALFORMED, 9);
        }
    }

    @Test
    void unknownOpcodeFailsOnlyThatFrame() throws IOException {
        try (RawConnection c = RawConnection.handshaken(server.port())) {
            byte[] frame = RawConnection.encode(new Ping(21, 0));
            frame[4] = 0x6e;
            c.sendBytes(frame);
            ErrorMessage e = assertInstanceOf(ErrorMessage.class, c.read());
            assertEquals(ErrorCode.MALFORMED, e.errorCode());
            assertEquals(21, e.requestId());
            c.send(new Ping(22, 99));
            assertEquals(new Pong(22, 99), c.read());
        }
    }

    @Test
    void serverOnlyFramesAndBadBodiesFailOnlyThatFrame() throws IOException {
        try (RawConnection c = RawConnection.handshaken(server.port())) {
            c.send(new ErrorMessage(31, ErrorCode.INTERNAL, "clients do not send errors"));
            ErrorMessage e = assertInstanceOf(ErrorMessage.class, c.read());
            assertEquals(ErrorCode.MALFORMED, e.errorCode());
            assertEquals(31, e.requestId());
            byte[] frame = RawConnection.encode(TestServers.request(1, 1).withRequestId(32));
            ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN).put(Wire.HEADER_BYTES + 12 + 2 + 7, (byte) 9); // targetKind 9
            c.sendBytes(frame);
            e = assertInstanceOf(ErrorMessage.class, c.read());
            assertEquals(ErrorCode.MALFORMED, e.errorCode());
            assertEquals(32, e.requestId());
            assertTrue(e.message().contains("targetKind"), e.message());
            c.send(TestServers.request(5, 1).withRequestId(33));
            assertEquals(33, assertInstanceOf(ExplainResult.class, c.read()).requestId());
        }
    }

    @Test
    void nonZeroReservedBitsBreakFraming() throws IOException {
        try (RawConnection c = RawConnection.handshaken(server.port())) {
            byte[] frame = RawConnection.encode(new Ping(1, 0));
            frame[6] = 1;
            c.sendBytes(frame);
            assertErrorThenClose(c, ErrorCode.MALFORMED, 0);
        }
    }

    @Test
    void secondHelloIsRefusedAndClosed() throws IOException {
        try (RawConnection c = RawConnection.handshaken(server.port())) {
            c.send(new Hello(1, 1, Wire.MAX_FRAME_LIMIT, "again", ""));
            assertErrorThenClose(c, ErrorCode.MALFORMED, 0);
        }
    }

    @Test
    void invalidRequestsGetInvalidAndTheConnectionStays() throws IOException {
        try (RawConnection c = RawConnection.handshaken(server.port())) {
            var good = TestServers.request(1, 1).withRequestId(40);
            c.send(new io.camstream.protocol.ExplainRequest(41, 0, 0, "lime", good.target(), 0, 0, good.result(), good.payload()));
            c.send(new io.camstream.protocol.ExplainRequest(42, 0, 0, "gradcam", io.camstream.protocol.Target.classIndex(5), 0, 0, good.result(), good.payload()));
            c.send(new io.camstream.protocol.ExplainRequest(43, 0, 0, "gradcam", good.target(), 0, 0, good.result(),
                    io.camstream.protocol.Payload.rgb8(32, 32, new byte[10])));
            c.send(new io.camstream.protocol.ExplainRequest(44, 0, 0, "gradcam", good.target(), 0, 0, good.result(),
                    io.camstream.protocol.Payload.jpeg(new byte[]{1, 2, 3})));
            for (long id = 41; id <= 44; id++) {
                ErrorMessage e = assertInstanceOf(ErrorMessage.class, c.read());
                assertEquals(ErrorCode.INVALID, e.errorCode(), e.message());
                assertEquals(id, e.requestId());
            }
            c.send(good);
            assertEquals(40, assertInstanceOf(ExplainResult.class, c.read()).requestId());
        }
    }
}
