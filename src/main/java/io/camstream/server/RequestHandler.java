package io.camstream.server;

import io.camstream.protocol.ErrorCode;
import io.camstream.protocol.ExplainRequest;
import io.camstream.protocol.Goodbye;
import io.camstream.protocol.Hello;
import io.camstream.protocol.Message;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Requests after the handshake: admission (window, validation, queue slot) for EXPLAIN, GOODBYE, and MALFORMED
 * for frames a client may not send. Admission never waits: every refusal is an immediate typed error.
 */
final class RequestHandler extends ChannelInboundHandlerAdapter {
    private final ServerContext server;
    private final Connection connection;

    RequestHandler(ServerContext server, Connection connection) {
        this.server = server;
        this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ExplainRequest r) {
            admit(r);
        } else if (msg instanceof Goodbye) {
            connection.clientGoodbye();
        } else if (msg instanceof Hello) {
            connection.refuseAndClose(0, ErrorCode.MALFORMED, "HELLO after the handshake");
        } else {
            Message m = (Message) msg;
            connection.refuse(m.requestId(), ErrorCode.MALFORMED, m.opcode() + " is sent only by the server");
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        connection.closeIfDone();
        ctx.fireChannelReadComplete();
    }

    private void admit(ExplainRequest m) {
        long now = System.nanoTime();
        server.metrics().requestReceived();
        long id = m.requestId();
        if (connection.isServerDraining()) {
            connection.refuse(id, ErrorCode.SHUTTING_DOWN, "the server is shutting down; retry elsewhere or later");
            return;
        }
        if (connection.isClosing()) {
            connection.refuse(id, ErrorCode.SHUTTING_DOWN, "request after this client's GOODBYE: this connection is closing; send it on a new one");
            return;
        }
        String undefined = m.target().kind().undefinedIn(connection.version());
        if (undefined != null) {
            // an enum value this connection's version does not define, as the spec treats any unknown value
            connection.refuse(id, ErrorCode.MALFORMED, undefined + " (offer it in HELLO)");
            return;
        }
        String invalid = server.validator().check(m);
        if (invalid != null) {
            connection.refuse(id, ErrorCode.INVALID, invalid);
            return;
        }
        if (connection.inFlight() >= server.config().maxInFlightPerConnection) {
            connection.refuse(id, ErrorCode.OVERLOADED, "this connection already has " + server.config().maxInFlightPerConnection
                    + " requests in flight (its window)");
            return;
        }
        if (connection.resultBufferFull()) {
            connection.refuse(id, ErrorCode.OVERLOADED, connection.unreadResultsMessage());
            return;
        }
        InferenceRequest r = new InferenceRequest(m, connection, now);
        // the queue slot first: a request counts as admitted only once it has one
        if (!server.pipeline().reserve(r)) {
            if (server.pipeline().isAdmitting()) {
                connection.refuse(id, ErrorCode.OVERLOADED, "the server's queue is full (" + server.config().queueCapacity + " requests); retry later");
            } else {
                connection.refuse(id, ErrorCode.SHUTTING_DOWN, "the server is shutting down; retry elsewhere or later");
            }
            return;
        }
        if (!connection.register(r)) {
            server.pipeline().release();
            connection.refuse(id, ErrorCode.INVALID, "request id " + id + " is already in flight on this connection");
            return;
        }
        server.pipeline().submit(r);
    }
}
