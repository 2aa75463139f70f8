package io.camstream.client;

import io.camstream.protocol.ErrorMessage;
import io.camstream.protocol.ExplainResult;
import io.camstream.protocol.Goodbye;
import io.camstream.protocol.Hello;
import io.camstream.protocol.HelloOk;
import io.camstream.protocol.Ping;
import io.camstream.protocol.Pong;
import io.camstream.protocol.Wire;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The client's side of one connection: HELLO on connect, then answers routed to their futures by request id,
 * PONG for the server's PINGs, and PING/close when the server goes silent.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ClientHandler.class);
    private final ClientOptions options;
    private final CompletableFuture<ClientConnection> handshake;
    private final Consumer<ClientConnection> onClosed;
    private ClientConnection connection;
    private int silentIntervals;

    ClientHandler(ClientOptions options, CompletableFuture<ClientConnection> handshake, Consumer<ClientConnection> onClosed) {
        this.options = options;
        this.handshake = handshake;
        this.onClosed = onClosed;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(new Hello(Wire.MIN_VERSION, options.maxVersion, options.maxFrameBytes, options.clientName, options.token));
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (connection == null) {
            if (msg instanceof HelloOk ok && (ok.version() < Wire.MIN_VERSION || ok.version() > options.maxVersion)) {
                handshake.completeExceptionally(new IllegalStateException("the server agreed on protocol version " + ok.version()
                        + ", which this client (versions " + Wire.MIN_VERSION + ".." + options.maxVersion + ") did not offer"));
                ctx.close();
            } else if (msg instanceof HelloOk ok) {
                connection = new ClientConnection(ctx.channel(), ok);
                handshake.complete(connection);
            } else if (msg instanceof ErrorMessage e) {
                handshake.completeExceptionally(RequestFailedException.fromServer(e));
                ctx.close();
            } else {
                handshake.completeExceptionally(new IllegalStateException("the server answered HELLO with " + msg));
                ctx.close();
            }
            return;
        }
        if (msg instanceof ExplainResult r) {
            connection.resultArrived(r);
        } else if (msg instanceof ErrorMessage e) {
            if (e.requestId() == 0) log.warn("server error for the connection: {} {}", e.errorCode(), e.message());
            else connection.errorArrived(e);
        } else if (msg instanceof Ping p) {
            ctx.writeAndFlush(new Pong(p.requestId(), p.opaque()), ctx.voidPromise());
        } else if (msg instanceof Pong p) {
            connection.pongArrived(p.requestId(), p.opaque());
        } else if (msg instanceof Goodbye g) {
            log.info("server said goodbye: {}", g.reason());
            connection.serverGoodbye();
        } else {
            log.warn("closing: the server sent {}, which only clients send", msg);
            ctx.close();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent e && e.state() == IdleState.READER_IDLE && connection != null) {
            silentIntervals = e.isFirst() ? 1 : silentIntervals + 1;
            if (silentIntervals * options.heartbeat.toMillis() >= options.idleTimeout.toMillis()) {
                log.warn("closing: nothing from the server for {}", options.idleTimeout);
                ctx.close();
            } else {
                ctx.writeAndFlush(new Ping(0, System.nanoTime()), ctx.voidPromise());
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("connection error, closing: {}", cause.toString());
        handshake.completeExceptionally(cause);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        handshake.completeExceptionally(RequestFailedException.local(RequestFailedException.LocalReason.CONNECTION_LOST,
                "the connection closed during the handshake"));
        if (connection != null) {
            connection.lost("the connection to the server closed");
            onClosed.accept(connection);
        }
        ctx.fireChannelInactive();
    }
}
