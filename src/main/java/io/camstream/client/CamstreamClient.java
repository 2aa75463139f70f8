package io.camstream.client;

import io.camstream.CamstreamException;
import io.camstream.protocol.ExplainRequest;
import io.camstream.protocol.ExplainResult;
import io.camstream.protocol.HelloOk;
import io.camstream.protocol.NettyTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asynchronous, pipelined client: {@link #explain} sends at once and returns a future completed by the matching
 * answer, whatever order answers arrive in. When the connection is lost, requests in flight fail with
 * {@link RequestFailedException.LocalReason#CONNECTION_LOST} and the client reconnects in the background with
 * exponential backoff and jitter; meanwhile requests fail fast with {@code NOT_CONNECTED}.
 *
 * <p>Futures complete on the client's I/O thread: callbacks must not block.
 */
public final class CamstreamClient implements ExplainClient {
    private static final Logger log = LoggerFactory.getLogger(CamstreamClient.class);

    private final ClientOptions options;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private volatile ClientConnection current;
    private volatile boolean closed;
    /** The connection is lost and no more reconnects will be tried. */
    private volatile boolean gaveUp;

    private CamstreamClient(ClientOptions options) {
        this.options = options;
        this.group = NettyTransport.group(1, "camstream-client");
        this.bootstrap = new Bootstrap().group(group).channel(NettyTransport.clientChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeout.toMillis());
    }

    /** Connects and completes the handshake, or throws: the first connection is not retried. */
    public static CamstreamClient connect(ClientOptions options) {
        CamstreamClient c = new CamstreamClient(options);
        try {
            c.current = c.connectOnce().get(options.connectTimeout.toMillis() * 2, TimeUnit.MILLISECONDS);
            return c;
        } catch (ExecutionException e) {
            c.group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            Throwable cause = e.getCause();
            throw new CamstreamException("cannot connect to " + c.address() + ": " + ConnectFailures.describe(cause, c.address()), cause);
        } catch (TimeoutException e) {
            c.group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new CamstreamException("cannot connect to " + c.address() + ": no handshake within " + options.connectTimeout.multipliedBy(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            c.group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new CamstreamException("interrupted while connecting to " + c.address());
        }
    }

    private String address() {
        return options.host + ":" + options.port;
    }

    private CompletableFuture<ClientConnection> connectOnce() {
        CompletableFuture<ClientConnection> handshake = new CompletableFuture<>();
        ChannelFuture f = bootstrap.clone().handler(new ClientChannelInitializer(options, handshake, this::connectionClosed))
                .connect(options.host, options.port);
        f.addListener(done -> {
            if (!done.isSuccess()) handshake.completeExceptionally(done.cause());
        });
        return handshake;
    }

    /** The server's handshake answer on the current connection: model input size, classes, methods, window. */
    @Override
    public HelloOk server() {
        ClientConnection c = current;
        if (c == null) throw new CamstreamException("not connected to " + address());
        return c.server();
    }

    /** True once the connection is lost for good: reconnecting is off or has given up. */
    public boolean hasGivenUp() {
        return gaveUp;
    }

    @Override
    public boolean isConnected() {
        ClientConnection c = current;
        return c != null && c.usable();
    }

    /** Requests sent on the current connection and not answered yet. */
    public int inFlight() {
        ClientConnection c = current;
        return c == null ? 0 : c.inFlight();
    }

    /** Sends a request (its id is assigned here) and returns its answer's future. Never blocks. */
    @Override
    public CompletableFuture<ExplainResult> explain(ExplainRequest request) {
        ClientConnection c = current;
        if (closed || c == null || !c.usable()) {
            return CompletableFuture.failedFuture(RequestFailedException.local(RequestFailedException.LocalReason.NOT_CONNECTED,
                    closed ? "the client is closed" : "not connected to " + address() + " (reconnecting)"));
        }
        return c.send(request);
    }

    /** Round trip time of one PING, in nanoseconds. */
    public CompletableFuture<Long> ping() {
        ClientConnection c = current;
        if (c == null || !c.usable()) {
            return CompletableFuture.failedFuture(RequestFailedException.local(RequestFailedException.LocalReason.NOT_CONNECTED, "not connected"));
        }
        return c.ping();
    }

    /** Waits until a usable connection exists (e.g. after a reconnect); false if none within the timeout. */
    @Override
    public boolean awaitConnected(Duration timeout) throws InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        while (!isConnected()) {
            if (closed || System.nanoTime() - until >= 0) return false;
            Thread.sleep(10);
        }
        return true;
    }

    private void connectionClosed(ClientConnection lost) {
        if (closed || lost != current) return;
        if (options.maxReconnectAttempts == 0) {
            log.warn("connection to {} lost; reconnecting is off", address());
            gaveUp = true;
            return;
        }
        log.warn("connection to {} lost; reconnecting", address());
        scheduleReconnect(1);
    }

    private void scheduleReconnect(int attempt) {
        if (closed) return;
        long base = options.reconnectInitialBackoff.toMillis() << Math.min(attempt - 1, 20);
        long capped = Math.min(base, options.reconnectMaxBackoff.toMillis());
        // full jitter in [capped/2, capped]: many clients that lost the same server do not come back in lockstep
        long delay = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
        group.schedule(() -> connectOnce().whenComplete((conn, err) -> {
            if (err == null) {
                if (closed) {
                    conn.channel().close();
                    return;
                }
                current = conn;
                log.info("reconnected to {} after {} attempt(s)", address(), attempt);
            } else if (err instanceof RequestFailedException rf && !rf.retryable()) {
                log.error("not reconnecting to {}: {}", address(), rf.getMessage());
                gaveUp = true;
            } else if (attempt >= options.maxReconnectAttempts) {
                log.error("giving up reconnecting to {} after {} attempts: {}", address(), attempt, ConnectFailures.describe(err, address()));
                gaveUp = true;
            } else {
                scheduleReconnect(attempt + 1);
            }
        }), delay, TimeUnit.MILLISECONDS);
    }

    /**
     * Says GOODBYE, waits up to {@code drain} for the answers in flight, then closes. Requests still unanswered
     * fail with CONNECTION_LOST.
     */
    @Override
    public void close(Duration drain) {
        if (closed) return;
        closed = true;
        ClientConnection c = current;
        if (c != null && c.channel().isActive()) {
            c.goodbye();
            long until = System.nanoTime() + drain.toNanos();
            try {
                while (c.inFlight() > 0 && c.channel().isActive() && System.nanoTime() - until < 0) Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            c.channel().close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
