package io.camstream.server;

import io.camstream.protocol.NettyTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;

import java.net.InetSocketAddress;
import java.util.function.BooleanSupplier;

/** A small HTTP listener for Prometheus scrapes and health probes, on its own port, sharing the server's loops. */
final class MetricsHttpServer implements AutoCloseable {
    private final Channel channel;

    private MetricsHttpServer(Channel channel) {
        this.channel = channel;
    }

    static MetricsHttpServer start(EventLoopGroup boss, EventLoopGroup io, String host, int port, ServerMetrics metrics, BooleanSupplier ready,
                                   String token)
            throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap().group(boss, io).channel(NettyTransport.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ReadTimeoutHandler(30), new HttpServerCodec(4096, 8192, 8192),
                                new HttpObjectAggregator(16 * 1024), new MetricsHttpHandler(metrics, ready, token));
                    }
                });
        return new MetricsHttpServer(b.bind(host, port).sync().channel());
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }
}
