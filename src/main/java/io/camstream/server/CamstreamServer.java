package io.camstream.server;

import io.camstream.CamstreamException;
import io.camstream.InvalidInputException;
import io.camstream.image.OverlayRenderer;
import io.camstream.image.Preprocessing;
import io.camstream.protocol.ErrorCode;
import io.camstream.protocol.HelloOk;
import io.camstream.protocol.NettyTransport;
import io.camstream.protocol.Wire;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The camstream server: a Netty listener speaking {@code docs/protocol.md}, a bounded queue, and a dynamic batcher on
 * the thread that owns the model. {@link #close()} shuts down gracefully: stop accepting, GOODBYE to every client,
 * answer what is in flight (up to the drain timeout), then stop.
 */
public final class CamstreamServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CamstreamServer.class);
    public static final String NAME = "camstream-server/0.1.0";

    private final ServerConfig config;
    private final EventLoopGroup boss;
    private final EventLoopGroup io;
    private final RequestPipeline pipeline;
    private final ConnectionRegistry connections;
    private final ServerMetrics metrics;
    private final Channel listener;
    private final MetricsHttpServer metricsHttp;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean ready;

    private CamstreamServer(ServerConfig config, EventLoopGroup boss, EventLoopGroup io, RequestPipeline pipeline, ConnectionRegistry connections,
                            ServerMetrics metrics, Channel listener, MetricsHttpServer metricsHttp, AtomicBoolean ready) {
        this.config = config;
        this.boss = boss;
        this.io = io;
        this.pipeline = pipeline;
        this.connections = connections;
        this.metrics = metrics;
        this.listener = listener;
        this.metricsHttp = metricsHttp;
        this.ready = ready;
    }

    /**
     * Starts serving {@code backend}, which from now on belongs to the server (closed by {@link #close()}).
     *
     * @param preprocessing how frames become the model's input; its size must be the backend's input size
     */
    public static CamstreamServer start(ServerConfig config, InferenceBackend backend, Preprocessing preprocessing, OverlayRenderer overlays) {
        ModelInfo info = backend.info();
        if (preprocessing.height() != info.inputHeight() || preprocessing.width() != info.inputWidth()) {
            throw new InvalidInputException("preprocessing size " + preprocessing.height() + "x" + preprocessing.width()
                    + " differs from the model's input size " + info.inputHeight() + "x" + info.inputWidth());
        }
        RequestQueue queue = new RequestQueue(config.queueCapacity);
        ServerMetrics metrics = new ServerMetrics(config.maxBatch, queue::occupancy, queue::queued);
        RequestPipeline pipeline = new RequestPipeline(config, backend, new InputDecoder(preprocessing, config.maxImagePixels, new DecodeBudget(config.decodeMemoryBytes)),
                new ResultAssembler(preprocessing, overlays, config.jpegQuality), metrics, queue);
        ConnectionRegistry connections = new ConnectionRegistry(config.maxConnections, config.maxHandshaking, metrics);
        HelloOk helloOk = new HelloOk(Wire.VERSION, config.maxFrameBytes, config.maxInFlightPerConnection, config.heartbeat.toMillis(),
                config.idleTimeout.toMillis(), info.inputHeight(), info.inputWidth(), info.numClasses(), info.layer(), info.methods(), NAME);
        ResultBuffer results = new ResultBuffer(config.resultBufferPerConnection, config.resultBufferTotal);
        metrics.resultBufferGauge(results);
        ServerContext context = new ServerContext(config, helloOk, metrics, pipeline, new RequestValidator(info), connections, results);
        EventLoopGroup boss = NettyTransport.group(1, "camstream-accept");
        EventLoopGroup io = NettyTransport.group(config.ioThreads, "camstream-io");
        Channel listener = null;
        MetricsHttpServer http = null;
        try {
            pipeline.start();
            ServerBootstrap b = new ServerBootstrap().group(boss, io).channel(NettyTransport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 256)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(config.writeBufferLowWater, config.writeBufferHighWater))
                    .childHandler(new ServerChannelInitializer(context));
            listener = bindProtocol(b, config.host, config.port);
            AtomicBoolean ready = new AtomicBoolean();
            if (config.metricsPort >= 0) {
                try {
                    http = MetricsHttpServer.start(boss, io, config.metricsHost(), config.metricsPort, metrics, ready::get, config.token);
                } catch (Exception e) {
                    throw BindFailure.of("metrics and health checks", config.metricsHost(), config.metricsPort, "--metrics-port",
                            ", or --metrics-port -1 to run without them", e);
                }
                if (config.ssl != null && !isLoopback(config.metricsHost())) {
                    log.warn("the metrics listener on {}:{} is plain HTTP{}; --metrics-host 127.0.0.1 keeps it on this machine", config.metricsHost(),
                            http.port(), config.token.isEmpty() ? " and open to anyone who can reach it" : " (the token it asks for travels unencrypted)");
                }
            }
            CamstreamServer server = new CamstreamServer(config, boss, io, pipeline, connections, metrics, listener, http, ready);
            ready.set(true);
            log.info("serving {} (layer {}) on {}:{}{}", info.methods(), info.layer(), config.host, server.port(),
                    config.ssl != null ? " with TLS" : "");
            return server;
        } catch (Exception e) {
            if (http != null) http.close();
            if (listener != null) listener.close().syncUninterruptibly();
            pipeline.close();
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            io.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            if (e instanceof CamstreamException c) throw c;
            throw new CamstreamException("cannot start the server on " + config.host + ":" + config.port + ": " + e.getMessage(), e);
        }
    }

    private static Channel bindProtocol(ServerBootstrap b, String host, int port) throws InterruptedException {
        try {
            return b.bind(host, port).sync().channel();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw BindFailure.of("the camstream protocol", host, port, "--port", "", e);
        }
    }

    private static boolean isLoopback(String host) {
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Port of the metrics/health listener, or -1 when there is none. */
    public int metricsPort() {
        return metricsHttp == null ? -1 : metricsHttp.port();
    }

    /** Connections past their handshake (for tests that look at what the server holds for them). */
    java.util.Set<Connection> connections() {
        return connections.snapshot();
    }

    public ServerMetrics metrics() {
        return metrics;
    }

    /** Serving and not shutting down: what /health/ready reports. */
    public boolean isReady() {
        return ready.get();
    }

    /** Graceful shutdown within the configured drain timeout. */
    @Override
    public void close() {
        shutdown(config.drainTimeout);
    }

    /**
     * Stops accepting connections and requests, says GOODBYE to every client, waits up to {@code drain} for what is
     * in flight to be answered; at its end answers the rest SHUTTING_DOWN and closes every connection (a batch still
     * computing is not waited for), then releases everything (the model once its batch is done).
     *
     * @return true when everything in flight was answered within the drain (false: some got SHUTTING_DOWN, or
     *         shutdown had already been done)
     */
    public boolean shutdown(Duration drain) {
        if (!closed.compareAndSet(false, true)) return false;
        ready.set(false);
        listener.close().syncUninterruptibly();
        pipeline.stopAdmission();
        for (Connection c : connections.handshakingSnapshot()) c.channel().close();
        for (Connection c : connections.snapshot()) c.serverGoodbye("the server is shutting down");
        long until = System.nanoTime() + drain.toNanos();
        try {
            while ((connections.inFlight() > 0 || pipeline.occupancy() > 0) && System.nanoTime() - until < 0) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int cutShort = connections.inFlight();
        pipeline.stopBatching();
        for (Connection c : connections.snapshot()) {
            for (InferenceRequest r : c.inFlightRequests()) c.answerError(r, ErrorCode.SHUTTING_DOWN, "the server is shutting down (its drain time ran out)");
            c.closeAfterAnswers();
        }
        if (cutShort > 0) log.warn("the drain ran out after {} ms: {} request(s) answered SHUTTING_DOWN", drain.toMillis(), cutShort);
        pipeline.close();
        if (metricsHttp != null) metricsHttp.close();
        io.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        log.info("server stopped");
        return cutShort == 0;
    }
}
