package io.camstream.server;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Stops reading from a connection while its outbound buffer is above the high-water mark and resumes below the
 * low one: a client that does not read its results cannot make the server queue more of them.
 */
@ChannelHandler.Sharable
final class BackpressureHandler extends ChannelInboundHandlerAdapter {
    static final BackpressureHandler INSTANCE = new BackpressureHandler();

    private BackpressureHandler() {
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }
}
