package io.camstream.server;

import io.camstream.client.CamstreamClient;
import io.camstream.client.ClientOptions;
import io.camstream.client.RequestFailedException;
import io.camstream.protocol.ErrorCode;
import io.camstream.protocol.ErrorMessage;
import io.camstream.protocol.ExplainRequest;
import io.camstream.protocol.ExplainResult;
import io.camstream.protocol.Goodbye;
import io.camstream.protocol.Message;
import io.camstream.protocol.Ping;
import io.camstream.protocol.ResultForm;
import io.camstream.protocol.ResultSpec;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Connections that go away, read slowly, or outlive their deadlines; heartbeats; graceful shutdown. */
class ServerLifecycleTest {
    @Test
    void aClientDisconnectingMidBatchDoesNotDisturbOthers() throws Exception {
        FakeBackend backend = new FakeBackend();
        try (CamstreamServer server = TestServers.start(TestServers.config().maxBatch(8).maxDelayMicros(0).build(), backend);
             CamstreamClient other = TestServers.client(server)) {
            backend.hold();
            RawConnection leaving = RawConnection.handshaken(server.port());
            for (int i = 1; i <= 6; i++) leaving.send(TestServers.request(i, i).withRequestId(i));
            assertTrue(backend.awaitBatchEntered(10));
            leaving.close();
            // once the server has seen the close, nothing of that client's is left to answer
            TestServers.eventually(() -> server.metrics().abandonedCount() == 6, () -> "the departed client's six requests are abandoned (abandoned: "
                    + server.metrics().abandonedCount() + ")");
            CompletableFuture<ExplainResult> f = other.explain(TestServers.request(100, 7));
            backend.open();
            assertEquals(100, f.get(10, TimeUnit.SECONDS).frameNumber());
            assertEquals(100, other.explain(TestServers.request(100, 8)).get(10, TimeUnit.SECONDS).frameNumber());
            // the batch that was running finishes (its answers go nowhere); the departed client's queued requests are
            // never computed: after it, only the other client's two
            assertEquals(3, backend.batchSizes.size(), "batches " + backend.batchSizes);
            assertEquals(List.of(1, 1), backend.batchSizes.subList(1, 3));
            assertEquals(0, server.metrics().inFlight());
        }
    }

    @Test
    void anExpiredDeadlineIsAnsweredWithoutCompute() throws Exception {
        FakeBackend backend = new FakeBackend();
        try (CamstreamServer server = TestServers.start(TestServers.config().maxBatch(1).build(), backend);
             RawConnection c = RawConnection.handshaken(server.port())) {
            backend.hold();
            c.send(TestServers.request(1, 11).withRequestId(1));
            assertTrue(backend.awaitBatchEntered(10));
            ExplainRequest r = TestServers.request(2, 22).withRequestId(2);
            c.send(new ExplainRequest(2, 0, 2, r.method(), r.target(), 1000, 0, r.result(), r.payload()));
            // its budget is 1 ms: it runs out while it is decoded (answered then) or queued (answered when the batcher
            // next looks), never later than compute, which stays held for far longer
            TestServers.eventually(() -> server.metrics().queued() == 1 || server.metrics().failures(ErrorCode.DEADLINE_EXCEEDED) == 1,
                    "the second request is queued or already refused");
            Thread.sleep(50);
            backend.open();
            Map<Long, Message> answers = new HashMap<>();
            for (int i = 0; i < 2; i++) {
                Message m = (Message) c.read();
                answers.put(m.requestId(), m);
            }
            assertInstanceOf(ExplainResult.class, answers.get(1L));
            assertEquals(ErrorCode.DEADLINE_EXCEEDED, assertInstanceOf(ErrorMessage.class, answers.get(2L)).errorCode());
            assertEquals(List.of(1), backend.batchSizes, "the expired request was never computed");
        }
    }

    @Test
    void aSlowReaderSlowsOnlyItselfAndStillGetsEveryAnswer() throws Exception {
        FakeBackend backend = new FakeBackend();
        ServerConfig config = TestServers.config().writeBufferWaterMarks(16 * 1024, 64 * 1024).maxInFlightPerConnection(64).build();
        try (CamstreamServer server = TestServers.start(config, backend);
             RawConnection slow = RawConnection.handshaken(server.port());
             CamstreamClient other = TestServers.client(server)) {
            // 1 MiB per answer (512x512 float32), 40 of them: far more than socket buffers and the high-water mark
            int n = 40;
            for (int i = 1; i <= n; i++) {
                ExplainRequest r = TestServers.request(i, i);
                slow.send(new ExplainRequest(i, 0, i, r.method(), r.target(), 0, 0, new ResultSpec(ResultForm.FLOAT32, 512, 512), r.payload()));
            }
            // the slow reader reads nothing yet; others are served meanwhile
            for (int i = 0; i < 5; i++) assertEquals(200 + i, other.explain(TestServers.request(200 + i, 1)).get(10, TimeUnit.SECONDS).frameNumber());
            Map<Long, ExplainResult> got = new HashMap<>();
            for (int i = 0; i < n; i++) {
                ExplainResult r = assertInstanceOf(ExplainResult.class, slow.read());
                assertNull(got.put(r.requestId(), r));
                assertEquals(512 * 512 * 4, r.maps().get(0).data().length);
            }
            slow.setReadTimeoutMillis(300);
            assertSame(RawConnection.TIMEOUT, slow.read());
        }
    }

    // repeated: the close once overtook answers still queued for the event loop in about 3 % of runs
    @RepeatedTest(40)
    void gracefulShutdownAnswersWhatIsInFlightThenSaysGoodbye() throws Exception {
        FakeBackend backend = new FakeBackend();
        CamstreamServer server = TestServers.start(TestServers.config().maxBatch(2).maxDelayMicros(0).build(), backend);
        try (RawConnection c = RawConnection.handshaken(server.port())) {
            backend.hold();
            for (int i = 1; i <= 5; i++) c.send(TestServers.request(i, i).withRequestId(i));
            assertTrue(backend.awaitBatchEntered(10));
            TestServers.eventually(() -> server.metrics().inFlight() == 5, "all five admitted before shutdown begins");
            boolean[] clean = {false};
            Thread stopper = new Thread(() -> clean[0] = server.shutdown(Duration.ofSeconds(5)));
            stopper.start();
            assertInstanceOf(Goodbye.class, c.read(), "clients are told first");
            c.send(TestServers.request(6, 6).withRequestId(6));
            assertEquals(ErrorCode.SHUTTING_DOWN, assertInstanceOf(ErrorMessage.class, c.read()).errorCode());
            backend.open();
            List<Long> answered = new ArrayList<>();
            for (int i = 0; i < 5; i++) answered.add(assertInstanceOf(ExplainResult.class, c.read()).requestId());
            assertEquals(5, answered.stream().distinct().count());
            assertTrue(c.awaitClose(3));
            stopper.join(20_000);
            assertFalse(stopper.isAlive());
            assertFalse(server.isReady());
            assertTrue(clean[0], "everything was answered within the drain");
            assertTrue(backend.closed, "the model is released after the drain");
            assertFalse(server.shutdown(Duration.ZERO), "shutting down twice does nothing");
        }
    }

    @Test
    void aClientAtItsWindowThatSendsOnEachAnswerIsNeverRefused() throws Exception {
        // the slot is free by the time the answer can be read: a client that keeps exactly its window full is in its rights
        try (CamstreamServer server = TestServers.start(TestServers.config().maxInFlightPerConnection(1).maxDelayMicros(0).build(), new FakeBackend());
             RawConnection c = RawConnection.handshaken(server.port())) {
            for (int i = 1; i <= 300; i++) {
                c.send(TestServers.request(i, i).withRequestId(i));
                Object answer = c.read();
                if (answer instanceof ErrorMessage e) fail("request " + i + " refused: " + e.errorCode() + " " + e.message());
                assertEquals(i, assertInstanceOf(ExplainResult.class, answer).requestId());
            }
        }
    }

    @Test
    void requestsAfterTheClientsGoodbyeAreAnsweredShuttingDown() throws Exception {
        FakeBackend backend = new FakeBackend();
        try (CamstreamServer server = TestServers.start(TestServers.config().build(), backend)) {
            // nothing in flight: GOODBYE and a request in one write, as a careless client would send them
            try (RawConnection c = RawConnection.handshaken(server.port())) {
                byte[] goodbye = RawConnection.encode(new Goodbye("done"));
                byte[] late = RawConnection.encode(TestServers.request(1, 1).withRequestId(8));
                byte[] both = java.util.Arrays.copyOf(goodbye, goodbye.length + late.length);
                System.arraycopy(late, 0, both, goodbye.length, late.length);
                c.sendBytes(both);
                ErrorMessage e = assertInstanceOf(ErrorMessage.class, c.read());
                assertEquals(8, e.requestId());
                assertEquals(ErrorCode.SHUTTING_DOWN, e.errorCode(), e.message());
                assertSame(RawConnection.CLOSED, c.read());
            }
            // with a request in flight: it is answered, the late one is refused, then the connection closes
            try (RawConnection c = RawConnection.handshaken(server.port())) {
                backend.hold();
                c.send(TestServers.request(1, 1).withRequestId(1));
                assertTrue(backend.awaitBatchEntered(10));
                c.send(new Goodbye("done"));
                c.send(TestServers.request(2, 2).withRequestId(2));
                ErrorMessage e = assertInstanceOf(ErrorMessage.class, c.read());
                assertEquals(2, e.requestId());
                assertEquals(ErrorCode.SHUTTING_DOWN, e.errorCode(), e.message());
                backend.open();
                assertEquals(1, assertInstanceOf(ExplainResult.class, c.read()).requestId());
                assertSame(RawConnection.CLOSED, c.read());
            }
        }
    }

    @Test
    void atTheEndOfTheDrainWhatIsLeftIsAnsweredAndClosedWithoutWaitingForCompute() throws Exception {
        FakeBackend backend = new FakeBackend();
        CamstreamServer server = TestServers.start(TestServers.config().maxBatch(1).drainTimeout(Duration.ofMillis(300)).build(), backend);
        try (RawConnection c = RawConnection.handshaken(server.port())) {
            backend.hold();
            for (int i = 1; i <= 3; i++) c.send(TestServers.request(i, i).withRequestId(i));
            assertTrue(backend.awaitBatchEntered(10));
            TestServers.eventually(() -> server.metrics().inFlight() == 3, "all three admitted before shutdown begins");
            boolean[] clean = {true};
            Thread stopper = new Thread(() -> clean[0] = server.shutdown(Duration.ofMillis(300)));
            stopper.start();
            assertInstanceOf(Goodbye.class, c.read());
            long start = System.nanoTime();
            List<Long> refused = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ErrorMessage e = assertInstanceOf(ErrorMessage.class, c.read());
                assertEquals(ErrorCode.SHUTTING_DOWN, e.errorCode(), e.message());
                refused.add(e.requestId());
            }
            assertSame(RawConnection.CLOSED, c.read());
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            // the batch in compute is held for as long as the test likes: the answers come at the drain's end, not after it
            assertTrue(waited < 3000, "answered " + waited + " ms after GOODBYE; the drain is 300 ms");
            assertEquals(List.of(1L, 2L, 3L), refused.stream().sorted().toList());
            backend.open();
            stopper.join(20_000);
            assertFalse(stopper.isAlive());
            assertFalse(clean[0], "a drain that ran out is not clean");
        }
    }

    @Test
    void silentPeersArePingedThenClosed() throws Exception {
        FakeBackend backend = new FakeBackend();
        ServerConfig config = TestServers.config().heartbeat(Duration.ofMillis(200)).idleTimeout(Duration.ofMillis(600)).build();
        try (CamstreamServer server = TestServers.start(config, backend);
             RawConnection c = RawConnection.handshaken(server.port())) {
            assertInstanceOf(Ping.class, c.read());
            Object next;
            do {
                next = c.read();
            } while (next instanceof Ping);
            assertInstanceOf(Goodbye.class, next);
            assertSame(RawConnection.CLOSED, c.read());
        }
    }

    @Test
    void aConnectionThatNeverHandshakesIsClosedAfterTheHandshakeTimeout() throws Exception {
        FakeBackend backend = new FakeBackend();
        ServerConfig config = TestServers.config().handshakeTimeout(Duration.ofMillis(300)).build();
        try (CamstreamServer server = TestServers.start(config, backend); RawConnection c = new RawConnection(server.port())) {
            long start = System.nanoTime();
            assertSame(RawConnection.CLOSED, c.read());
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(waited < config.idleTimeout.toMillis() / 2, "closed after " + waited + " ms, the handshake timeout is 300 ms");
        }
        ServerConfig defaults = ServerConfig.builder().build();
        assertTrue(defaults.handshakeTimeout.compareTo(defaults.idleTimeout.dividedBy(4)) <= 0, "the default handshake timeout is much shorter than the idle one");
    }

    @Test
    void socketsThatNeverSayHelloDoNotTakeTheClientsPlaces() throws Exception {
        FakeBackend backend = new FakeBackend();
        ServerConfig config = TestServers.config().maxConnections(2).maxHandshaking(8).build();
        List<RawConnection> idle = new ArrayList<>();
        try (CamstreamServer server = TestServers.start(config, backend)) {
            for (int i = 0; i < 5; i++) idle.add(new RawConnection(server.port()));
            // more silent sockets than --max-connections: a real client is still let in and served
            try (CamstreamClient client = TestServers.client(server)) {
                assertEquals(1, client.explain(TestServers.request(1, 1)).get(10, TimeUnit.SECONDS).frameNumber());
            }
        } finally {
            for (RawConnection c : idle) c.close();
        }
    }

    @Test
    void handshakingConnectionsHaveTheirOwnLimitAndTimeOutSoon() throws Exception {
        FakeBackend backend = new FakeBackend();
        ServerConfig config = TestServers.config().maxHandshaking(3).handshakeTimeout(Duration.ofMillis(500)).build();
        List<RawConnection> idle = new ArrayList<>();
        try (CamstreamServer server = TestServers.start(config, backend)) {
            for (int i = 0; i < 3; i++) idle.add(new RawConnection(server.port()));
            // the fourth arrives while three are still silent: refused at once, retryable
            try (RawConnection fourth = new RawConnection(server.port())) {
                ErrorMessage e = assertInstanceOf(ErrorMessage.class, fourth.read());
                assertEquals(ErrorCode.OVERLOADED, e.errorCode(), e.message());
                assertSame(RawConnection.CLOSED, fourth.read());
            }
            for (RawConnection c : idle) assertSame(RawConnection.CLOSED, c.read(), "closed by the handshake timeout");
            try (CamstreamClient client = TestServers.client(server)) {
                assertEquals(2, client.explain(TestServers.request(2, 2)).get(10, TimeUnit.SECONDS).frameNumber());
            }
        } finally {
            for (RawConnection c : idle) c.close();
        }
    }

    @Test
    void clientsAnsweringPingsStayConnected() throws Exception {
        FakeBackend backend = new FakeBackend();
        ServerConfig config = TestServers.config().heartbeat(Duration.ofMillis(100)).idleTimeout(Duration.ofMillis(300)).build();
        try (CamstreamServer server = TestServers.start(config, backend);
             CamstreamClient client = TestServers.client(server)) {
            // several idle timeouts of silence from the client's application: the Java client answers the pings
            Thread.sleep(1000);
            assertTrue(client.isConnected());
            assertEquals(3, client.explain(TestServers.request(3, 3)).get(10, TimeUnit.SECONDS).frameNumber());
        }
    }

    @Test
    void higherPriorityOvertakesAndTheClientMatchesAnswersOutOfOrder() throws Exception {
        FakeBackend backend = new FakeBackend();
        try (CamstreamServer server = TestServers.start(TestServers.config().maxBatch(1).build(), backend);
             CamstreamClient client = TestServers.client(server)) {
            backend.hold();
            List<CompletableFuture<ExplainResult>> fs = new ArrayList<>();
            fs.add(client.explain(TestServers.request(0, 0)));
            assertTrue(backend.awaitBatchEntered(10));
            for (int i = 1; i <= 4; i++) {
                ExplainRequest r = TestServers.request(i, 10 * i);
                fs.add(client.explain(new ExplainRequest(0, 0, i, r.method(), r.target(), 0, i == 4 ? 9 : 0, r.result(), r.payload())));
            }
            TestServers.eventually(() -> server.metrics().queued() == 4, "all four decoded and queued before compute resumes");
            backend.open();
            for (int i = 0; i < fs.size(); i++) assertEquals(i, fs.get(i).get(10, TimeUnit.SECONDS).frameNumber(), "answer matched to its request");
            List<Integer> order = backend.computedMarkers.stream().map(ServerLifecycleTest::marker).toList();
            assertEquals(List.of(0, 40, 10, 20, 30), order, "priority 9 goes before the earlier priority-0 requests, which keep their order");
        }
    }

    /** The marker of {@code TestServers.request(_, marker)}, recovered from its first input value (ImageNet-normalised red). */
    private static int marker(float firstInput) {
        return Math.round((firstInput * 0.229f + 0.485f) * 255f);
    }

    @Test
    void theClientReconnectsAfterTheServerComesBack() throws Exception {
        FakeBackend backend = new FakeBackend();
        CamstreamServer first = TestServers.start(TestServers.config().build(), backend);
        int port = first.port();
        try (CamstreamClient client = CamstreamClient.connect(ClientOptions.builder("127.0.0.1", port)
                .reconnect(Duration.ofMillis(50), Duration.ofMillis(200), 50).build())) {
            assertEquals(1, client.explain(TestServers.request(1, 1)).get(10, TimeUnit.SECONDS).frameNumber());
            first.close();
            TestServers.eventually(() -> !client.isConnected(), "the client notices the server is gone");
            RequestFailedException e = assertInstanceOf(RequestFailedException.class,
                    assertThrowsCompletion(client.explain(TestServers.request(2, 2))));
            assertTrue(e.retryable());
            CamstreamServer second = TestServers.start(TestServers.config().port(port).build(), new FakeBackend());
            try {
                assertTrue(client.awaitConnected(Duration.ofSeconds(10)), "reconnected with backoff");
                assertEquals(3, client.explain(TestServers.request(3, 3)).get(10, TimeUnit.SECONDS).frameNumber());
            } finally {
                second.close();
            }
        }
    }

    private static Throwable assertThrowsCompletion(CompletableFuture<?> f) {
        try {
            f.orTimeout(10, TimeUnit.SECONDS).join();
        } catch (CompletionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected the request to fail");
    }
}
