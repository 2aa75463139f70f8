package io.camstream.client;

import io.camstream.protocol.ErrorMessage;
import io.camstream.protocol.ExplainRequest;
import io.camstream.protocol.ExplainResult;
import io.camstream.protocol.Goodbye;
import io.camstream.protocol.HelloOk;
import io.camstream.protocol.Ping;
import io.netty.channel.Channel;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One handshaken connection: requests in flight by id (pipelined, answered in any order), the window the server
 * granted, and pings awaiting their pong.
 */
final class ClientConnection {
    private final Channel channel;
    private final HelloOk server;
    private final Semaphore window;
    private final ConcurrentHashMap<Long, CompletableFuture<ExplainResult>> pending = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, CompletableFuture<Long>> pings = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong();
    /** The server said GOODBYE: it takes no new requests on this connection. */
    private volatile boolean draining;

    ClientConnection(Channel channel, HelloOk server) {
        this.channel = channel;
        this.server = server;
        this.window = new Semaphore((int) Math.min(Integer.MAX_VALUE, server.maxInFlight()));
    }

    HelloOk server() {
        return server;
    }

    Channel channel() {
        return channel;
    }

    boolean usable() {
        return channel.isActive() && !draining;
    }

    int inFlight() {
        return pending.size();
    }

    CompletableFuture<ExplainResult> send(ExplainRequest request) {
        CompletableFuture<ExplainResult> f = new CompletableFuture<>();
        String undefined = request.target().kind().undefinedIn(server.version());
        if (undefined != null) {
            f.completeExceptionally(RequestFailedException.local(RequestFailedException.LocalReason.VERSION_TOO_OLD,
                    undefined + ", which this server does not speak; nothing was sent"));
            return f;
        }
        if (!window.tryAcquire()) {
            f.completeExceptionally(RequestFailedException.local(RequestFailedException.LocalReason.WINDOW_FULL,
                    "the connection's window of " + server.maxInFlight() + " requests in flight is full"));
            return f;
        }
        long id = newId(pending);
        pending.put(id, f);
        channel.writeAndFlush(request.withRequestId(id)).addListener(w -> {
            if (!w.isSuccess()) fail(id, RequestFailedException.local(RequestFailedException.LocalReason.CONNECTION_LOST,
                    "could not send the request: " + w.cause()));
        });
        return f;
    }

    CompletableFuture<Long> ping() {
        CompletableFuture<Long> f = new CompletableFuture<>();
        long id = newId(pings);
        pings.put(id, f);
        channel.writeAndFlush(new Ping(id, System.nanoTime())).addListener(w -> {
            if (!w.isSuccess()) {
                CompletableFuture<Long> p = pings.remove(id);
                if (p != null) p.completeExceptionally(RequestFailedException.local(RequestFailedException.LocalReason.CONNECTION_LOST, "could not send the ping"));
            }
        });
        return f;
    }

    /** An id in 1..2^32-1 not in flight in {@code used}. */
    private long newId(ConcurrentHashMap<Long, ?> used) {
        while (true) {
            long id = nextId.incrementAndGet() & 0xFFFF_FFFFL;
            if (id != 0 && !used.containsKey(id)) return id;
        }
    }

    void resultArrived(ExplainResult r) {
        CompletableFuture<ExplainResult> f = take(r.requestId());
        if (f != null) f.complete(r);
    }

    void errorArrived(ErrorMessage e) {
        CompletableFuture<ExplainResult> f = take(e.requestId());
        if (f != null) f.completeExceptionally(RequestFailedException.fromServer(e));
    }

    void pongArrived(long id, long sentNanos) {
        CompletableFuture<Long> f = pings.remove(id);
        if (f != null) f.complete(System.nanoTime() - sentNanos);
    }

    void serverGoodbye() {
        draining = true;
    }

    /** Says GOODBYE: the server answers what is in flight, then closes. */
    void goodbye() {
        draining = true;
        channel.writeAndFlush(new Goodbye("client closing"));
    }

    /** The channel closed: every request still in flight failed. */
    void lost(String why) {
        for (Long id : pending.keySet()) fail(id, RequestFailedException.local(RequestFailedException.LocalReason.CONNECTION_LOST, why));
        for (Long id : pings.keySet()) {
            CompletableFuture<Long> f = pings.remove(id);
            if (f != null) f.completeExceptionally(RequestFailedException.local(RequestFailedException.LocalReason.CONNECTION_LOST, why));
        }
    }

    private void fail(long id, RequestFailedException e) {
        CompletableFuture<ExplainResult> f = take(id);
        if (f != null) f.completeExceptionally(e);
    }

    private CompletableFuture<ExplainResult> take(long id) {
        CompletableFuture<ExplainResult> f = pending.remove(id);
        if (f != null) window.release();
        return f;
    }
}
