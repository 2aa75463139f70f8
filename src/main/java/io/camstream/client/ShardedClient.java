package io.camstream.client;

import io.camstream.CamstreamException;
import io.camstream.InvalidInputException;
import io.camstream.protocol.ExplainRequest;
import io.camstream.protocol.ExplainResult;
import io.camstream.protocol.HelloOk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One client over several servers: each stream goes to one server, chosen by consistent hashing of its stream id,
 * so a camera's frames stay on one server (and its batches). When that server is gone, the stream moves to the next
 * live server on the ring, and back when it returns; only the streams of the lost server move. Requests in flight
 * on a lost connection fail as with one {@link CamstreamClient} (CONNECTION_LOST, retryable).
 *
 * <p>Needs at least one server at start; the others are connected in the background when they come up, and a
 * server whose client gave up reconnecting is tried afresh the same way.
 */
public final class ShardedClient implements ExplainClient {
    private static final Logger log = LoggerFactory.getLogger(ShardedClient.class);
    private static final long RETRY_MILLIS = 1000;

    /** One server: its options and, once connected, its client. */
    private static final class Shard {
        final ClientOptions options;
        volatile CamstreamClient client;
        volatile long lastAttemptNanos;

        Shard(ClientOptions options) {
            this.options = options;
        }

        String address() {
            return options.host + ":" + options.port;
        }

        boolean live() {
            CamstreamClient c = client;
            return c != null && c.isConnected();
        }
    }

    private final List<Shard> shards;
    private final ConsistentHashRing<Shard> ring;
    private final ScheduledExecutorService connector;
    private volatile boolean closed;

    private ShardedClient(List<Shard> shards) {
        this.shards = shards;
        this.ring = new ConsistentHashRing<>(shards, shards.stream().map(Shard::address).toList());
        this.connector = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "camstream-shard-connector");
            t.setDaemon(true);
            return t;
        });
    }

    /** Connects to every server it can; throws only if none answers. */
    public static ShardedClient connect(List<ClientOptions> servers) {
        if (servers.isEmpty()) throw new InvalidInputException("no server given");
        List<Shard> shards = new ArrayList<>();
        for (ClientOptions o : servers) {
            for (Shard s : shards) {
                if (s.address().equals(o.host + ":" + o.port)) throw new InvalidInputException("server " + s.address() + " is given twice");
            }
            shards.add(new Shard(o));
        }
        ShardedClient c = new ShardedClient(shards);
        List<String> failures = new ArrayList<>();
        for (Shard s : shards) {
            String why = c.tryConnect(s);
            if (why != null) failures.add(why);
        }
        if (failures.size() == shards.size()) {
            c.connector.shutdownNow();
            throw new CamstreamException("cannot connect to any server: " + String.join("; ", failures));
        }
        for (String f : failures) log.warn("{}; its streams go to the next server until it is up", f);
        c.connector.scheduleWithFixedDelay(c::reconnectDead, RETRY_MILLIS, RETRY_MILLIS, TimeUnit.MILLISECONDS);
        return c;
    }

    /** Null when connected, else why not. */
    private String tryConnect(Shard s) {
        s.lastAttemptNanos = System.nanoTime();
        try {
            CamstreamClient client = CamstreamClient.connect(s.options);
            if (closed) {
                client.close(Duration.ZERO);
            } else {
                s.client = client;
                log.info("connected to {}", s.address());
            }
            return null;
        } catch (CamstreamException e) {
            return e.getMessage();
        }
    }

    /** Servers never connected, or whose client gave up reconnecting, get a fresh client. */
    private void reconnectDead() {
        for (Shard s : shards) {
            if (closed) return;
            CamstreamClient c = s.client;
            if (c == null || c.hasGivenUp()) {
                if (c != null) {
                    s.client = null;
                    c.close(Duration.ZERO);
                }
                tryConnect(s);
            }
        }
    }

    /** The server this stream goes to now: its owner on the ring if live, else the next live one; null if none. */
    public String serverFor(long streamId) {
        Shard s = route(streamId);
        return s == null ? null : s.address();
    }

    /** The server that owns this stream when all are live. */
    public String ownerOf(long streamId) {
        return ring.preference(streamId).get(0).address();
    }

    private Shard route(long streamId) {
        for (Shard s : ring.preference(streamId)) if (s.live()) return s;
        return null;
    }

    @Override
    public CompletableFuture<ExplainResult> explain(ExplainRequest request) {
        Shard s = closed ? null : route(request.streamId());
        if (s == null) {
            return CompletableFuture.failedFuture(RequestFailedException.local(RequestFailedException.LocalReason.NOT_CONNECTED,
                    closed ? "the client is closed" : "no server is connected (reconnecting)"));
        }
        return s.client.explain(request);
    }

    /** The handshake of a connected server (all serve the same model). */
    @Override
    public HelloOk server() {
        for (Shard s : shards) if (s.live()) return s.client.server();
        throw new CamstreamException("not connected to any server");
    }

    @Override
    public boolean isConnected() {
        for (Shard s : shards) if (s.live()) return true;
        return false;
    }

    @Override
    public boolean awaitConnected(Duration timeout) throws InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        while (!isConnected()) {
            if (closed || System.nanoTime() - until >= 0) return false;
            Thread.sleep(10);
        }
        return true;
    }

    /** Servers connected now. */
    public int liveServers() {
        int n = 0;
        for (Shard s : shards) if (s.live()) n++;
        return n;
    }

    @Override
    public void close(Duration drain) {
        if (closed) return;
        closed = true;
        connector.shutdownNow();
        for (Shard s : shards) {
            CamstreamClient c = s.client;
            if (c != null) c.close(drain);
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
