package io.camstream.server;

import io.camstream.protocol.ErrorCode;
import io.camstream.protocol.ErrorMessage;
import io.camstream.protocol.FrameDecoder;
import io.camstream.protocol.Hello;
import io.camstream.protocol.Message;
import io.camstream.protocol.Wire;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;

/**
 * The connection's first exchange: HELLO in, HELLO_OK (or a typed error and close) out. Until it succeeds nothing
 * else gets through, frames are limited to {@link Wire#HANDSHAKE_FRAME_LIMIT}, and a connection that does not
 * complete it within the handshake timeout is closed. On success it raises the frame limit and removes itself.
 */
final class HandshakeHandler extends ChannelInboundHandlerAdapter {
    private final ServerContext server;
    private final Connection connection;
    private final FrameDecoder frames;
    private ScheduledFuture<?> deadline;
    /** Set once this connection has been refused: what it sends until the close takes effect is ignored. */
    private boolean refused;

    HandshakeHandler(ServerContext server, Connection connection, FrameDecoder frames) {
        this.server = server;
        this.connection = connection;
        this.frames = frames;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!server.connections().tryAddHandshaking(connection)) {
            refused = true;
            connection.refuseAndClose(0, ErrorCode.OVERLOADED, "the server has " + server.config().maxHandshaking
                    + " connections in their handshake already; retry shortly");
            return;
        }
        deadline = ctx.executor().schedule(() -> {
            if (!connection.isHandshaken()) ctx.close();
        }, server.config().handshakeTimeout.toMillis(), TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (deadline != null) deadline.cancel(false);
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) return;
        Message m = (Message) msg;
        ErrorMessage refusal = refusal(m);
        if (refusal != null) {
            refused = true;
            connection.refuseAndClose(refusal.requestId(), refusal.errorCode(), refusal.message());
            return;
        }
        if (deadline != null) deadline.cancel(false);
        if (!server.connections().tryPromote(connection)) {
            refused = true;
            connection.refuseAndClose(0, ErrorCode.OVERLOADED, "the server is at its limit of " + server.config().maxConnections + " connections");
            return;
        }
        Hello hello = (Hello) m;
        int version = version(hello);
        connection.handshaken(Math.min(hello.maxFrameBytes(), Wire.MAX_FRAME_LIMIT), version);
        frames.maxFrameBytes(server.config().maxFrameBytes);
        ctx.writeAndFlush(server.helloOk().atVersion(version));
        ctx.pipeline().remove(this);
    }

    /** Why this first frame cannot open the connection, or null when it is an acceptable HELLO. */
    private ErrorMessage refusal(Message m) {
        if (!(m instanceof Hello hello)) {
            return new ErrorMessage(m.requestId(), ErrorCode.MALFORMED, "expected HELLO as the first frame, got " + m.opcode());
        }
        if (version(hello) < 0) {
            return new ErrorMessage(0, ErrorCode.UNSUPPORTED_VERSION, "this server speaks protocol versions " + Wire.MIN_VERSION + ".." + Wire.VERSION
                    + "; the client offered " + hello.minVersion() + ".." + hello.maxVersion());
        }
        if (!tokenMatches(hello.token())) {
            return new ErrorMessage(0, ErrorCode.UNAUTHENTICATED, hello.token().isEmpty() ? "this server needs a token" : "wrong token");
        }
        if (hello.maxFrameBytes() < Wire.HANDSHAKE_FRAME_LIMIT) {
            return new ErrorMessage(0, ErrorCode.MALFORMED, "maxFrameBytes must be at least " + Wire.HANDSHAKE_FRAME_LIMIT + ", got " + hello.maxFrameBytes());
        }
        return null;
    }

    /** The highest version both speak, or -1 when the ranges do not meet (or the client's is empty). */
    private static int version(Hello hello) {
        int v = Math.min(hello.maxVersion(), Wire.VERSION);
        return v >= Math.max(hello.minVersion(), Wire.MIN_VERSION) ? v : -1;
    }

    /** Constant-time comparison, so the answer time says nothing about how much of the token was right. */
    private boolean tokenMatches(String offered) {
        String expected = server.config().token;
        if (expected.isEmpty()) return true;
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), offered.getBytes(StandardCharsets.UTF_8));
    }
}
