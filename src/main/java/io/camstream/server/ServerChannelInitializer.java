package io.camstream.server;

import io.camstream.protocol.FrameDecoder;
import io.camstream.protocol.MessageDecoder;
import io.camstream.protocol.MessageEncoder;
import io.camstream.protocol.Wire;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;

import java.util.concurrent.TimeUnit;

/**
 * The per-connection pipeline: [TLS] → idle detection → frames → messages (and back) → backpressure → handshake
 * (removes itself) → keep-alive → requests → errors and close.
 */
final class ServerChannelInitializer extends ChannelInitializer<SocketChannel> {
    private final ServerContext server;

    ServerChannelInitializer(ServerContext server) {
        this.server = server;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ServerConfig config = server.config();
        Connection connection = new Connection(ch, server.metrics(), server.results());
        FrameDecoder frames = new FrameDecoder(Wire.HANDSHAKE_FRAME_LIMIT);
        ChannelPipeline p = ch.pipeline();
        if (config.ssl != null) p.addLast("tls", config.ssl.newHandler(ch.alloc()));
        // observeOutput: slow but moving output is not "writer idle"; only output that does not move at all is
        p.addLast("idle", new IdleStateHandler(true, config.heartbeat.toMillis(), config.idleTimeout.toMillis(), 0, TimeUnit.MILLISECONDS));
        p.addLast("frames", frames);
        p.addLast("messages", new MessageDecoder());
        p.addLast("encoder", MessageEncoder.INSTANCE);
        p.addLast("backpressure", BackpressureHandler.INSTANCE);
        p.addLast("handshake", new HandshakeHandler(server, connection, frames));
        p.addLast("keepalive", new KeepAliveHandler(connection, config.heartbeat.toMillis(), config.idleTimeout.toMillis()));
        p.addLast("requests", new RequestHandler(server, connection));
        p.addLast("close", new ConnectionCloseHandler(connection, server.connections()));
    }
}
