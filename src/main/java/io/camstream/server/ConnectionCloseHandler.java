package io.camstream.server;

import io.camstream.protocol.ProtocolException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * The end of the pipeline: protocol violations become typed errors (closing the connection when framing is broken
 * or the handshake has not happened), I/O errors close quietly, and a closed channel abandons its requests.
 */
final class ConnectionCloseHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ConnectionCloseHandler.class);
    private final Connection connection;
    private final ConnectionRegistry registry;

    ConnectionCloseHandler(Connection connection, ConnectionRegistry registry) {
        this.connection = connection;
        this.registry = registry;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (c instanceof ProtocolException p) {
            if (p.fatal() || !connection.isHandshaken()) {
                connection.refuseAndClose(p.requestId(), p.code(), p.getMessage());
            } else {
                connection.refuse(p.requestId(), p.code(), p.getMessage());
            }
        } else if (c instanceof IOException) {
            log.debug("connection {} failed: {}", ctx.channel().remoteAddress(), c.toString());
            ctx.close();
        } else {
            log.warn("closing connection {} after an unexpected error", ctx.channel().remoteAddress(), c);
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connection.abandonAll();
        registry.remove(connection);
        ctx.fireChannelInactive();
    }
}
