package io.camstream.server;

import io.camstream.protocol.Goodbye;
import io.camstream.protocol.Ping;
import io.camstream.protocol.Pong;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Heartbeat and idle timeout, RSocket style: after each heartbeat interval without reading anything, PING; after
 * the idle timeout without reading anything, GOODBYE and close. While reading is paused for backpressure, silence is
 * expected, so the stuck-writer check applies instead: output that has not moved for the idle timeout closes the
 * connection. Answers the client's PINGs.
 */
final class KeepAliveHandler extends ChannelInboundHandlerAdapter {
    private final Connection connection;
    private final long heartbeatMillis;
    private final long idleTimeoutMillis;
    private int silentIntervals;

    KeepAliveHandler(Connection connection, long heartbeatMillis, long idleTimeoutMillis) {
        this.connection = connection;
        this.heartbeatMillis = heartbeatMillis;
        this.idleTimeoutMillis = idleTimeoutMillis;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Ping p) {
            ctx.writeAndFlush(new Pong(p.requestId(), p.opaque()), ctx.voidPromise());
        } else if (!(msg instanceof Pong)) {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!(evt instanceof IdleStateEvent e)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        if (e.state() == IdleState.READER_IDLE && ctx.channel().config().isAutoRead() && connection.isHandshaken()) {
            silentIntervals = e.isFirst() ? 1 : silentIntervals + 1;
            if (silentIntervals * heartbeatMillis >= idleTimeoutMillis) {
                ctx.writeAndFlush(new Goodbye("idle for " + idleTimeoutMillis + " ms")).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.writeAndFlush(new Ping(0, System.nanoTime()), ctx.voidPromise());
            }
        } else if (e.state() == IdleState.WRITER_IDLE && !ctx.channel().isWritable()) {
            // the peer has not taken any of our output for the whole idle timeout
            ctx.close();
        }
    }
}
