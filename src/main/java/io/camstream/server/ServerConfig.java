package io.camstream.server;

import io.camstream.InvalidInputException;
import io.camstream.protocol.Wire;
import io.netty.handler.ssl.SslContext;

import java.time.Duration;

/**
 * Everything the server is told at start: where to listen, how to batch, the bounds that keep memory bounded, and
 * security. Built with {@link #builder()}; every value has a safe default (loopback only, no TLS, no token).
 */
public final class ServerConfig {
    public final String host;
    public final int port;
    public final int maxBatch;
    public final long maxDelayMicros;
    /** Requests admitted server-wide and not yet taken into a batch (decoding or queued). */
    public final int queueCapacity;
    /** Unanswered requests one connection may have: the window announced in HELLO_OK. */
    public final int maxInFlightPerConnection;
    public final int maxFrameBytes;
    public final int maxConnections;
    /** Connections that have not completed their handshake, counted apart from {@link #maxConnections}. */
    public final int maxHandshaking;
    /** Time a new connection has to complete its handshake (TLS and HELLO). */
    public final Duration handshakeTimeout;
    public final Duration heartbeat;
    public final Duration idleTimeout;
    public final Duration drainTimeout;
    /** Shared secret checked in the handshake; empty = none. */
    public final String token;
    /** TLS when non-null. */
    public final SslContext ssl;
    public final int ioThreads;
    /** Threads that decode frames and encode results (never the model's thread). */
    public final int workerThreads;
    public final int writeBufferLowWater;
    public final int writeBufferHighWater;
    public final int jpegQuality;
    /** Largest image (width x height) a JPEG/PNG payload may declare; checked from its header before decoding. */
    public final long maxImagePixels;
    /** Bytes of decoded images held at once, server-wide (decodes in progress and frames kept for overlays). */
    public final long decodeMemoryBytes;
    /** Bytes of results written to one connection and not yet taken by its client; beyond, OVERLOADED. */
    public final long resultBufferPerConnection;
    /** The same, summed over all connections. */
    public final long resultBufferTotal;
    /** Port of the HTTP listener for /metrics and /health/*; -1 = none, 0 = any free port. */
    public final int metricsPort;
    /** Address of the metrics listener; null = {@link #host}. */
    private final String metricsHost;

    private ServerConfig(Builder b) {
        host = b.host;
        port = b.port;
        maxBatch = b.maxBatch;
        maxDelayMicros = b.maxDelayMicros;
        queueCapacity = b.queueCapacity;
        maxInFlightPerConnection = b.maxInFlightPerConnection;
        maxFrameBytes = b.maxFrameBytes;
        maxConnections = b.maxConnections;
        maxHandshaking = b.maxHandshaking;
        handshakeTimeout = b.handshakeTimeout;
        heartbeat = b.heartbeat;
        idleTimeout = b.idleTimeout;
        drainTimeout = b.drainTimeout;
        token = b.token;
        ssl = b.ssl;
        ioThreads = b.ioThreads;
        workerThreads = b.workerThreads;
        writeBufferLowWater = b.writeBufferLowWater;
        writeBufferHighWater = b.writeBufferHighWater;
        jpegQuality = b.jpegQuality;
        metricsPort = b.metricsPort;
        metricsHost = b.metricsHost;
        maxImagePixels = b.maxImagePixels;
        resultBufferPerConnection = b.resultBufferPerConnection;
        resultBufferTotal = b.resultBufferTotal;
        decodeMemoryBytes = b.decodeMemoryBytes;
    }

    /** Where the metrics listener binds: its own address if one was given, else the protocol's. */
    public String metricsHost() {
        return metricsHost != null ? metricsHost : host;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Mutable builder; {@link #build()} checks the combination. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 7070;
        private int maxBatch = 32;
        private long maxDelayMicros = 2000;
        private int queueCapacity = 256;
        private int maxInFlightPerConnection = 64;
        private int maxFrameBytes = Wire.DEFAULT_MAX_FRAME;
        private int maxConnections = 256;
        private int maxHandshaking = 64;
        private Duration handshakeTimeout = Duration.ofSeconds(5);
        private Duration heartbeat = Duration.ofSeconds(10);
        private Duration idleTimeout = Duration.ofSeconds(30);
        private Duration drainTimeout = Duration.ofSeconds(10);
        private String token = "";
        private SslContext ssl;
        private int ioThreads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2));
        private int workerThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
        private int writeBufferLowWater = 1 << 20;
        private int writeBufferHighWater = 4 << 20;
        private int jpegQuality = 85;
        private int metricsPort = -1;
        private String metricsHost;
        private long maxImagePixels = 40_000_000;
        private long resultBufferPerConnection = 64L << 20;
        private long resultBufferTotal = 1L << 30;
        private long decodeMemoryBytes = 1L << 30;

        public Builder host(String v) { host = v; return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder maxBatch(int v) { maxBatch = v; return this; }
        public Builder maxDelayMicros(long v) { maxDelayMicros = v; return this; }
        public Builder queueCapacity(int v) { queueCapacity = v; return this; }
        public Builder maxInFlightPerConnection(int v) { maxInFlightPerConnection = v; return this; }
        public Builder maxFrameBytes(int v) { maxFrameBytes = v; return this; }
        public Builder maxConnections(int v) { maxConnections = v; return this; }
        public Builder maxHandshaking(int v) { maxHandshaking = v; return this; }
        public Builder handshakeTimeout(Duration v) { handshakeTimeout = v; return this; }
        public Builder heartbeat(Duration v) { heartbeat = v; return this; }
        public Builder idleTimeout(Duration v) { idleTimeout = v; return this; }
        public Builder drainTimeout(Duration v) { drainTimeout = v; return this; }
        public Builder token(String v) { token = v == null ? "" : v; return this; }
        public Builder ssl(SslContext v) { ssl = v; return this; }
        public Builder ioThreads(int v) { ioThreads = v; return this; }
        public Builder workerThreads(int v) { workerThreads = v; return this; }
        public Builder writeBufferWaterMarks(int low, int high) { writeBufferLowWater = low; writeBufferHighWater = high; return this; }
        public Builder jpegQuality(int v) { jpegQuality = v; return this; }
        public Builder metricsPort(int v) { metricsPort = v; return this; }
        public Builder metricsHost(String v) { metricsHost = v; return this; }
        public Builder maxImagePixels(long v) { maxImagePixels = v; return this; }
        public Builder resultBuffer(long perConnection, long total) { resultBufferPerConnection = perConnection; resultBufferTotal = total; return this; }
        public Builder decodeMemoryBytes(long v) { decodeMemoryBytes = v; return this; }

        public ServerConfig build() {
            positive(maxBatch, "--max-batch");
            if (maxBatch > 0xFFFF) throw new InvalidInputException("--max-batch must be at most 65535, got " + maxBatch);
            if (maxDelayMicros < 0) throw new InvalidInputException("--max-delay-us must not be negative, got " + maxDelayMicros);
            positive(queueCapacity, "--queue");
            positive(maxInFlightPerConnection, "--window");
            positive(maxConnections, "--max-connections");
            positive(maxHandshaking, "--max-handshaking");
            if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
                throw new InvalidInputException("--handshake-timeout-ms must be at least 1, got " + handshakeTimeout.toMillis());
            }
            positive(ioThreads, "--io-threads");
            positive(workerThreads, "--worker-threads");
            if (port < 0 || port > 65535) throw new InvalidInputException("--port must be in 0..65535, got " + port);
            if (metricsPort < -1 || metricsPort > 65535) throw new InvalidInputException("--metrics-port must be in 0..65535 (or -1 for none), got " + metricsPort);
            if (maxFrameBytes < Wire.HANDSHAKE_FRAME_LIMIT || maxFrameBytes > Wire.MAX_FRAME_LIMIT) {
                throw new InvalidInputException("--max-frame-bytes must be in " + Wire.HANDSHAKE_FRAME_LIMIT + ".." + Wire.MAX_FRAME_LIMIT + ", got " + maxFrameBytes);
            }
            if (heartbeat.isNegative() || heartbeat.isZero() || idleTimeout.compareTo(heartbeat) <= 0) {
                throw new InvalidInputException("the idle timeout (" + idleTimeout + ") must be longer than the heartbeat (" + heartbeat + ")");
            }
            if (writeBufferLowWater <= 0 || writeBufferHighWater < writeBufferLowWater) {
                throw new InvalidInputException("write buffer water marks must satisfy 0 < low <= high");
            }
            if (jpegQuality < 1 || jpegQuality > 100) throw new InvalidInputException("JPEG quality must be in 1..100, got " + jpegQuality);
            if (token.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > Wire.MAX_TOKEN_BYTES) {
                throw new InvalidInputException("the token is longer than " + Wire.MAX_TOKEN_BYTES + " bytes");
            }
            positive(maxImagePixels, "--max-image-pixels");
            if (resultBufferPerConnection < Wire.HANDSHAKE_FRAME_LIMIT || resultBufferTotal < resultBufferPerConnection) {
                throw new InvalidInputException("result buffers must satisfy " + Wire.HANDSHAKE_FRAME_LIMIT + " <= per connection (--result-buffer-mb, got "
                        + resultBufferPerConnection + " bytes) <= total (--result-buffer-total-mb, got " + resultBufferTotal + " bytes)");
            }
            if (maxImagePixels * InputDecoder.DECODE_BYTES_PER_PIXEL > decodeMemoryBytes) {
                throw new InvalidInputException("--decode-memory-mb (" + (decodeMemoryBytes >> 20) + " MiB) cannot hold one image of --max-image-pixels ("
                        + maxImagePixels + " pixels take " + (maxImagePixels * InputDecoder.DECODE_BYTES_PER_PIXEL >> 20) + " MiB decoded)");
            }
            return new ServerConfig(this);
        }

        private static void positive(long v, String what) {
            if (v < 1) throw new InvalidInputException(what + " must be at least 1, got " + v);
        }
    }
}
