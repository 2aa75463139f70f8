package io.camstream.client;

import io.camstream.InvalidInputException;
import io.camstream.protocol.Wire;
import io.netty.handler.ssl.SslContext;

import java.time.Duration;

/** How a {@link CamstreamClient} connects: address, security, limits, keep-alive and reconnect policy. */
public final class ClientOptions {
    public final String host;
    public final int port;
    public final String token;
    public final String clientName;
    /** TLS when non-null. */
    public final SslContext ssl;
    public final Duration connectTimeout;
    public final int maxFrameBytes;
    public final Duration heartbeat;
    public final Duration idleTimeout;
    public final Duration reconnectInitialBackoff;
    public final Duration reconnectMaxBackoff;
    /** Attempts after a lost connection before the client gives up; 0 = never reconnect. */
    public final int maxReconnectAttempts;
    /** The newest protocol version offered in HELLO (the oldest is {@link Wire#MIN_VERSION}). */
    public final int maxVersion;

    private ClientOptions(Builder b) {
        host = b.host;
        port = b.port;
        token = b.token;
        clientName = b.clientName;
        ssl = b.ssl;
        connectTimeout = b.connectTimeout;
        maxFrameBytes = b.maxFrameBytes;
        heartbeat = b.heartbeat;
        idleTimeout = b.idleTimeout;
        reconnectInitialBackoff = b.reconnectInitialBackoff;
        reconnectMaxBackoff = b.reconnectMaxBackoff;
        maxReconnectAttempts = b.maxReconnectAttempts;
        maxVersion = b.maxVersion;
    }

    public static Builder builder(String host, int port) {
        return new Builder(host, port);
    }

    /** Parses {@code host:port} (or {@code [v6]:port}); a bare host gets port 7070. */
    public static Builder builder(String hostAndPort) {
        String s = hostAndPort.trim();
        int colon = s.lastIndexOf(':');
        if (colon < 0 || s.endsWith("]")) return new Builder(s.replace("[", "").replace("]", ""), 7070);
        String host = s.substring(0, colon).replace("[", "").replace("]", "");
        try {
            return new Builder(host, Integer.parseInt(s.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new InvalidInputException("--server must be host:port, got '" + hostAndPort + "'");
        }
    }

    /** Mutable builder with safe defaults. */
    public static final class Builder {
        private final String host;
        private final int port;
        private String token = "";
        private String clientName = "camstream-java-client";
        private SslContext ssl;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private int maxFrameBytes = Wire.MAX_FRAME_LIMIT;
        private Duration heartbeat = Duration.ofSeconds(10);
        private Duration idleTimeout = Duration.ofSeconds(30);
        private Duration reconnectInitialBackoff = Duration.ofMillis(100);
        private Duration reconnectMaxBackoff = Duration.ofSeconds(5);
        private int maxReconnectAttempts = 20;
        private int maxVersion = Wire.VERSION;

        private Builder(String host, int port) {
            if (host.isEmpty()) throw new InvalidInputException("empty server host");
            if (port < 1 || port > 65535) throw new InvalidInputException("server port must be in 1..65535, got " + port);
            this.host = host;
            this.port = port;
        }

        public Builder token(String v) { token = v == null ? "" : v; return this; }
        public Builder clientName(String v) { clientName = v; return this; }
        public Builder ssl(SslContext v) { ssl = v; return this; }
        public Builder connectTimeout(Duration v) { connectTimeout = v; return this; }
        public Builder maxFrameBytes(int v) { maxFrameBytes = v; return this; }
        public Builder heartbeat(Duration v) { heartbeat = v; return this; }
        public Builder idleTimeout(Duration v) { idleTimeout = v; return this; }
        /** Offer only versions up to {@code v}: speak as an older client would. */
        public Builder maxVersion(int v) { maxVersion = v; return this; }
        public Builder reconnect(Duration initialBackoff, Duration maxBackoff, int maxAttempts) {
            reconnectInitialBackoff = initialBackoff;
            reconnectMaxBackoff = maxBackoff;
            maxReconnectAttempts = maxAttempts;
            return this;
        }

        public ClientOptions build() {
            if (maxFrameBytes < Wire.HANDSHAKE_FRAME_LIMIT || maxFrameBytes > Wire.MAX_FRAME_LIMIT) {
                throw new InvalidInputException("client max frame must be in " + Wire.HANDSHAKE_FRAME_LIMIT + ".." + Wire.MAX_FRAME_LIMIT);
            }
            if (idleTimeout.compareTo(heartbeat) <= 0) throw new InvalidInputException("client idle timeout must exceed its heartbeat");
            if (maxVersion < Wire.MIN_VERSION || maxVersion > Wire.VERSION) {
                throw new InvalidInputException("client protocol version must be in " + Wire.MIN_VERSION + ".." + Wire.VERSION + ", got " + maxVersion);
            }
            if (maxReconnectAttempts < 0) throw new InvalidInputException("reconnect attempts must not be negative");
            return new ClientOptions(this);
        }
    }
}
