package io.camstream.server;

import io.camstream.client.CamstreamClient;
import io.camstream.client.RequestFailedException;
import io.camstream.protocol.ErrorCode;
import io.camstream.protocol.ErrorMessage;
import io.camstream.protocol.ExplainRequest;
import io.camstream.protocol.ExplainResult;
import io.camstream.protocol.Message;
import io.camstream.protocol.Payload;
import io.camstream.protocol.ResultForm;
import io.camstream.protocol.ResultSpec;
import io.camstream.protocol.Target;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With a small queue and compute held, a flood of requests: exactly one answer each, and bounded holdings. */
class OverloadTest {
    private static final int QUEUE = 4;
    private static final int MAX_BATCH = 2;

    @Test
    void everyRequestGetsExactlyOneAnswerAndAdmissionStaysBounded() throws Exception {
        FakeBackend backend = new FakeBackend();
        ServerConfig config = TestServers.config().queueCapacity(QUEUE).maxBatch(MAX_BATCH).maxDelayMicros(0).maxInFlightPerConnection(1000).build();
        int total = 300;
        try (CamstreamServer server = TestServers.start(config, backend);
             RawConnection c = RawConnection.handshaken(server.port());
             CamstreamClient bystander = TestServers.client(server)) {
            backend.hold();
            // 120 KB frames: what the server must not keep when it refuses
            byte[] frame = new byte[200 * 200 * 3];
            for (int i = 1; i <= total; i++) {
                c.send(new ExplainRequest(i, 0, i, "gradcam", Target.top1(), 0, 0, ResultSpec.of(ResultForm.UINT8), Payload.rgb8(200, 200, frame)));
            }
            assertTrue(backend.awaitBatchEntered(10));
            // compute is held: at most one batch in compute plus a full queue (which counts requests still decoding)
            // are admitted; everything else is refused at once, so the first answers are all refusals
            Map<Long, Message> answers = new HashMap<>();
            for (int i = 0; i < total - (QUEUE + MAX_BATCH); i++) {
                Message m = readOne(c, answers);
                assertEquals(ErrorCode.OVERLOADED, assertInstanceOf(ErrorMessage.class, m).errorCode());
                assertTrue(server.metrics().inFlight() <= QUEUE + MAX_BATCH, "admitted requests " + server.metrics().inFlight());
            }
            // another connection is not blocked by the flood: it gets its one answer (a result, or OVERLOADED)
            CompletableFuture<ExplainResult> other = bystander.explain(TestServers.request(1, 1));
            backend.open();
            while (answers.size() < total) readOne(c, answers);
            c.setReadTimeoutMillis(300);
            assertSame(RawConnection.TIMEOUT, c.read(), "no answer beyond one per request");
            long overloaded = answers.values().stream().filter(m -> m instanceof ErrorMessage).count();
            long results = answers.values().stream().filter(m -> m instanceof ExplainResult).count();
            assertEquals(total, overloaded + results, "only results and OVERLOADED errors");
            assertTrue(results >= 1, "what was admitted is computed");
            boolean otherRefused;
            try {
                other.orTimeout(10, TimeUnit.SECONDS).join();
                otherRefused = false;
            } catch (CompletionException e) {
                assertEquals(ErrorCode.OVERLOADED, assertInstanceOf(RequestFailedException.class, e.getCause()).code());
                otherRefused = true;
            }
            assertTrue(backend.batchSizes.stream().allMatch(n -> n <= MAX_BATCH), "batches " + backend.batchSizes);
            assertEquals(0, server.metrics().inFlight());
            assertEquals(overloaded + (otherRefused ? 1 : 0), (long) server.metrics().failures(ErrorCode.OVERLOADED));
        }
    }

    @Test
    void theConnectionWindowRefusesAtOnce() throws Exception {
        FakeBackend backend = new FakeBackend();
        try (CamstreamServer server = TestServers.start(TestServers.config().maxInFlightPerConnection(3).maxBatch(1).build(), backend);
             RawConnection c = RawConnection.handshaken(server.port())) {
            backend.hold();
            for (int i = 1; i <= 10; i++) c.send(TestServers.request(i, i).withRequestId(i));
            for (int i = 0; i < 7; i++) {
                ErrorMessage e = assertInstanceOf(ErrorMessage.class, c.read());
                assertEquals(ErrorCode.OVERLOADED, e.errorCode());
                assertTrue(e.requestId() > 3, "the first three fit the window");
            }
            backend.open();
            for (int i = 0; i < 3; i++) assertInstanceOf(ExplainResult.class, c.read());
        }
    }

    @Test
    void aReusedIdInFlightIsRefusedAndTheFirstStillAnswered() throws Exception {
        FakeBackend backend = new FakeBackend();
        try (CamstreamServer server = TestServers.start(TestServers.config().build(), backend);
             RawConnection c = RawConnection.handshaken(server.port())) {
            backend.hold();
            c.send(TestServers.request(1, 1).withRequestId(7));
            assertTrue(backend.awaitBatchEntered(10));
            c.send(TestServers.request(2, 2).withRequestId(7));
            ErrorMessage e = assertInstanceOf(ErrorMessage.class, c.read());
            assertEquals(ErrorCode.INVALID, e.errorCode());
            backend.open();
            ExplainResult r = assertInstanceOf(ExplainResult.class, c.read());
            assertEquals(1, r.frameNumber());
        }
    }

    @Test
    void resultsForClientsThatNeverReadAreBoundedInBytesPerConnectionAndServerWide() throws Exception {
        FakeBackend backend = new FakeBackend();
        long perConnection = 3L << 20;
        long total = 5L << 20;
        ServerConfig config = TestServers.config().resultBuffer(perConnection, total).build();
        int n = 40;
        try (CamstreamServer server = TestServers.start(config, backend);
             RawConnection a = RawConnection.handshaken(server.port());
             RawConnection b = RawConnection.handshaken(server.port())) {
            // 1 MiB results (512x512 float32) from 3 KB requests, and neither client reads. Compute waits until the
            // server has read every request: otherwise its backpressure (no reading while a connection is unwritable)
            // could leave requests unread, to be served later as the client reads, and nothing would need refusing
            backend.hold();
            for (RawConnection c : List.of(a, b)) {
                for (int i = 1; i <= n; i++) {
                    ExplainRequest r = TestServers.request(i, i);
                    c.send(new ExplainRequest(i, 0, i, r.method(), r.target(), 0, 0, new ResultSpec(ResultForm.FLOAT32, 512, 512), r.payload()));
                }
            }
            TestServers.eventually(() -> server.metrics().inFlight() == 2 * n, () -> "every request read, " + server.metrics().inFlight() + " so far");
            backend.open();
            TestServers.eventually(() -> server.metrics().inFlight() == 0, "every request answered");
            // what Netty holds unsent for each connection (bytes that reached the kernel's socket buffers have left the server)
            long sum = 0;
            for (Connection c : server.connections()) {
                long held = c.channel().unsafe().outboundBuffer() == null ? 0 : c.channel().unsafe().outboundBuffer().totalPendingWriteBytes();
                assertTrue(held <= perConnection + (64 << 10), "one connection holds " + held + " bytes of unsent answers");
                sum += held;
            }
            assertTrue(sum <= total + (64 << 10), "the server holds " + sum + " bytes of unsent answers");
            for (RawConnection c : List.of(a, b)) {
                Map<Long, Message> answers = new HashMap<>();
                for (int i = 0; i < n; i++) readOne(c, answers);
                long results = answers.values().stream().filter(m -> m instanceof ExplainResult).count();
                List<ErrorMessage> refused = answers.values().stream().filter(m -> m instanceof ErrorMessage).map(m -> (ErrorMessage) m).toList();
                assertEquals(n, results + refused.size());
                assertTrue(results >= 1 && !refused.isEmpty(), results + " results, " + refused.size() + " refused");
                for (ErrorMessage e : refused) {
                    assertEquals(ErrorCode.OVERLOADED, e.errorCode(), e.message());
                    assertTrue(e.message().contains("waiting for this client to read"), e.message());
                }
                for (Message m : answers.values()) {
                    if (m instanceof ExplainResult r) assertEquals(512 * 512 * 4, r.maps().get(0).data().length);
                }
            }
            // once read, the buffer is free again: the next request is served
            a.send(TestServers.request(99, 1).withRequestId(99));
            assertEquals(99, assertInstanceOf(ExplainResult.class, a.read()).requestId());
        }
    }

    /** Reads one answer into the map, failing on a second answer to the same id. */
    private static Message readOne(RawConnection c, Map<Long, Message> answers) throws IOException {
        Object o = c.read();
        Message m = assertInstanceOf(Message.class, o, "expected an answer, got " + o);
        assertNull(answers.put(m.requestId(), m), "second answer to request " + m.requestId());
        return m;
    }
}
