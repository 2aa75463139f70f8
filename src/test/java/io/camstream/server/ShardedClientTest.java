package io.camstream.server;

import io.camstream.client.ClientOptions;
import io.camstream.client.RequestFailedException;
import io.camstream.client.ShardedClient;
import io.camstream.protocol.ExplainRequest;
import io.camstream.protocol.ExplainResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three servers on loopback behind one sharded client: each stream's frames all go to one server (counted by the
 * servers' own backends), and when a server stops only its streams move, each to the next live server.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShardedClientTest {
    private static final int STREAMS = 30;

    @Test
    void streamsStickToOneServerAndMoveOnlyWhenItStops() throws Exception {
        List<FakeBackend> backends = new ArrayList<>();
        List<CamstreamServer> servers = new ArrayList<>();
        Map<String, Integer> index = new HashMap<>();
        try {
            List<ClientOptions> options = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                FakeBackend b = new FakeBackend();
                CamstreamServer s = TestServers.start(TestServers.config().build(), b);
                backends.add(b);
                servers.add(s);
                index.put("127.0.0.1:" + s.port(), i);
                options.add(ClientOptions.builder("127.0.0.1", s.port()).reconnect(Duration.ofMillis(50), Duration.ofMillis(200), 3).build());
            }
            try (ShardedClient client = ShardedClient.connect(options)) {
                assertEquals(3, client.liveServers());
                int[] expected = new int[3];
                Map<Long, String> before = new HashMap<>();
                for (long s = 0; s < STREAMS; s++) {
                    before.put(s, client.serverFor(s));
                    assertEquals(client.ownerOf(s), client.serverFor(s), "all live: every stream is at its owner");
                    expected[index.get(client.serverFor(s))] += 4;
                }
                sendAll(client, 0, 4);
                for (int i = 0; i < 3; i++) {
                    assertTrue(expected[i] > 0, "every server owns some of " + STREAMS + " streams");
                    assertEquals(expected[i], computed(backends.get(i)), "server " + i + " computed exactly its streams' frames");
                }

                String stopped = "127.0.0.1:" + servers.get(1).port();
                servers.get(1).close();
                TestServers.eventually(() -> client.liveServers() == 2, "the client notices the stopped server");
                int[] after = new int[3];
                for (long s = 0; s < STREAMS; s++) {
                    String now = client.serverFor(s);
                    if (before.get(s).equals(stopped)) assertNotEquals(stopped, now, "stream " + s + " moved off the stopped server");
                    else assertEquals(before.get(s), now, "stream " + s + " stays where it was: only the stopped server's streams move");
                    after[index.get(now)] += 4;
                }
                int[] computedBefore = {computed(backends.get(0)), computed(backends.get(1)), computed(backends.get(2))};
                sendAll(client, 4, 4);
                assertEquals(computedBefore[1], computed(backends.get(1)), "nothing more reached the stopped server");
                assertEquals(after[0], computed(backends.get(0)) - computedBefore[0]);
                assertEquals(after[2], computed(backends.get(2)) - computedBefore[2]);
            }
        } finally {
            for (CamstreamServer s : servers) s.close();
        }
    }

    @Test
    void noServerAtAllIsAClearError() {
        var e = assertThrows(io.camstream.CamstreamException.class, () -> ShardedClient.connect(List.of(
                ClientOptions.builder("127.0.0.1", 1).connectTimeout(Duration.ofMillis(500)).build())));
        assertTrue(e.getMessage().contains("cannot connect to any server"), e.getMessage());
    }

    private static int computed(FakeBackend b) {
        return b.batchSizes.stream().mapToInt(Integer::intValue).sum();
    }

    /** Frames [from, from + n) of every stream; each answered (a retryable failure is retried, as `stream` does). */
    private static void sendAll(ShardedClient client, int from, int n) throws Exception {
        List<ExplainRequest> sent = new ArrayList<>();
        List<CompletableFuture<ExplainResult>> answers = new ArrayList<>();
        for (int f = from; f < from + n; f++) {
            for (long s = 0; s < STREAMS; s++) {
                ExplainRequest base = TestServers.request(f, (int) s);
                ExplainRequest r = new ExplainRequest(1, s, f, base.method(), base.target(), 0, 0, base.result(), base.payload());
                sent.add(r);
                answers.add(client.explain(r));
            }
        }
        for (int i = 0; i < sent.size(); i++) {
            ExplainResult r = answer(client, sent.get(i), answers.get(i));
            assertEquals(sent.get(i).streamId(), r.streamId());
            assertEquals(sent.get(i).frameNumber(), r.frameNumber());
        }
    }

    private static ExplainResult answer(ShardedClient client, ExplainRequest r, CompletableFuture<ExplainResult> f) throws Exception {
        for (int attempt = 0; ; attempt++) {
            try {
                return f.get(20, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RequestFailedException rf) || !rf.retryable() || attempt >= 5) throw e;
                Thread.sleep(50);
                f = client.explain(r);
            }
        }
    }
}
