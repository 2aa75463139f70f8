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

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Well-framed requests with hostile contents, and clients at the protocol's smallest limits, on a live server. */
class HostilePayloadTest {
    static CamstreamServer server;

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
