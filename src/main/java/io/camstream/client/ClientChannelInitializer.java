package io.camstream.client;

import io.camstream.protocol.FrameDecoder;
import io.camstream.protocol.MessageDecoder;
import io.camstream.protocol.MessageEncoder;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** [TLS] → idle detection → frames → messages (and back) → {@link ClientHandler}. */
final class ClientChannelInitializer extends ChannelInitializer<SocketChannel> {
    private final ClientOptions options;
    private final CompletableFuture<ClientConnection> handshake;
    private final Consumer<ClientConnection> onClosed;

    ClientChannelInitializer(ClientOptions options, CompletableFuture<ClientConnection> handshake, Consumer<ClientConnection> onClosed) {
        this.options = options;
        this.handshake = handshake;
        this.onClosed = onClosed;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        if (options.ssl != null) p.addLast("tls", options.ssl.newHandler(ch.alloc(), options.host, options.port));
        p.addLast("idle", new IdleStateHandler(options.heartbeat.toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        p.addLast("frames", new FrameDecoder(options.maxFrameBytes));
        p.addLast("messages", new MessageDecoder());
        p.addLast("encoder", MessageEncoder.INSTANCE);
        p.addLast("client", new ClientHandler(options, handshake, onClosed));
    }
}
