package io.camstream.server;

import io.camstream.protocol.ErrorCode;
import io.camstream.protocol.ErrorMessage;
import io.camstream.protocol.ExplainResult;
import io.camstream.protocol.Goodbye;
import io.camstream.protocol.Message;
import io.camstream.protocol.MessageCodec;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client connection's state, shared by its handlers and by the threads that answer its requests: the
 * handshake outcome, the requests in flight (the window), and whether it is closing.
 *
 * <p>Every request is answered through {@link #answer}, which lets exactly one answer through.
 */
final class Connection {
    private final Channel channel;
    private final ServerMetrics metrics;
    private final ResultBuffer results;
    /** This connection's share of {@link #results}: result bytes written here and not yet sent. */
    private final AtomicLong unsentResultBytes = new AtomicLong();
    private final ConcurrentHashMap<Long, InferenceRequest> inFlight = new ConcurrentHashMap<>();
    private volatile boolean handshaken;
    private volatile long clientMaxFrameBytes;
    private volatile int version;
    /** GOODBYE sent or received: no new requests, close once nothing is in flight. */
    private volatile boolean closing;
    private volatile boolean serverDraining;

    Connection(Channel channel, ServerMetrics metrics, ResultBuffer results) {
        this.channel = channel;
        this.metrics = metrics;
        this.results = results;
    }

    Channel channel() {
        return channel;
    }

    void handshaken(long clientMaxFrameBytes, int version) {
        this.clientMaxFrameBytes = clientMaxFrameBytes;
        this.version = version;
        this.handshaken = true;
    }

    /** The protocol version agreed in the handshake. */
    int version() {
        return version;
    }

    boolean isHandshaken() {
        return handshaken;
    }

    long clientMaxFrameBytes() {
        return clientMaxFrameBytes;
    }

    /** The largest RESULT frame this connection can be sent: the client's frame limit, or the server's per-connection result buffer. */
    long maxResultBytes() {
        return Math.min(clientMaxFrameBytes, results.perConnection());
    }

    boolean isClosing() {
        return closing;
    }

    boolean isServerDraining() {
        return serverDraining;
    }

    int inFlight() {
        return inFlight.size();
    }

    /** Registers an admitted request; false when its id is already in flight here. */
    boolean register(InferenceRequest r) {
        if (inFlight.putIfAbsent(r.requestId, r) != null) return false;
        metrics.admitted();
        return true;
    }

    /**
     * The one answer to a registered request; later attempts (and answers after the connection died) do nothing. A
     * result that does not fit the result buffer (its client is not reading) is answered OVERLOADED instead.
     */
    void answer(InferenceRequest r, Message m) {
        if (!r.claimAnswer()) return;
        metrics.answeredInFlight();
        // The write, freeing the window slot and the close decision happen together on the event loop. From a worker
        // thread, a write is only queued there: a close decided on the loop itself (at the end of a read) would
        // otherwise overtake it, and a client's next request read in between would find its slot still taken.
        if (channel.eventLoop().inEventLoop()) {
            send(r, m);
        } else {
            try {
                channel.eventLoop().execute(() -> send(r, m));
            } catch (RejectedExecutionException e) {
                inFlight.remove(r.requestId, r); // the event loop has stopped: the channel is closed, nobody can read it
            }
        }
    }

    private void send(InferenceRequest r, Message m) {
        if (m instanceof ExplainResult result) {
            writeResult(result);
        } else {
            count(m);
            channel.writeAndFlush(m, channel.voidPromise());
        }
        inFlight.remove(r.requestId, r);
        closeIfDone();
    }

    /** Writes the result when its bytes fit this connection's share of the result buffer (counted there until sent), else OVERLOADED. */
    private void writeResult(ExplainResult result) {
        long bytes = MessageCodec.resultFrameBytes(result);
        if (results.tryReserve(unsentResultBytes, bytes)) {
            count(result);
            channel.writeAndFlush(result).addListener(f -> results.release(unsentResultBytes, bytes));
        } else {
            ErrorMessage refusal = new ErrorMessage(result.requestId(), ErrorCode.OVERLOADED, unreadResultsMessage());
            count(refusal);
            channel.writeAndFlush(refusal, channel.voidPromise());
        }
    }

    /** True when this connection's unsent results already fill its share: new requests are refused until it reads. */
    boolean resultBufferFull() {
        return unsentResultBytes.get() >= results.perConnection();
    }

    String unreadResultsMessage() {
        return unsentResultBytes.get() + " bytes of results are waiting for this client to read them (the server holds at most "
                + results.perConnection() + " per connection and " + results.total() + " for all clients); read them, then retry";
    }

    void answerError(InferenceRequest r, ErrorCode code, String message) {
        answer(r, new ErrorMessage(r.requestId, code, message));
    }

    /** An error for a request that was never registered (refused at admission), or for the connection (id 0). */
    void refuse(long requestId, ErrorCode code, String message) {
        ErrorMessage m = new ErrorMessage(requestId, code, message);
        count(m);
        channel.writeAndFlush(m, channel.voidPromise());
    }

    /** Sends an error and closes: for violations after which the connection cannot continue. */
    void refuseAndClose(long requestId, ErrorCode code, String message) {
        metrics.failure(code);
        channel.writeAndFlush(new ErrorMessage(requestId, code, message)).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * The client said GOODBYE: answer what is in flight, then close. The close waits for the end of the current read
     * ({@link #closeIfDone}, called by the request handler), so that requests sent along with the GOODBYE still get
     * their one answer.
     */
    void clientGoodbye() {
        closing = true;
    }

    /** Server shutdown: tell the client, refuse new requests, close when what is in flight has been answered. */
    void serverGoodbye(String reason) {
        serverDraining = true;
        closing = true;
        channel.writeAndFlush(new Goodbye(reason), channel.voidPromise());
        closeIfDone();
    }

    /** The channel is gone: nobody is left to answer, so in-flight requests are abandoned (and skipped by compute). */
    void abandonAll() {
        for (InferenceRequest r : inFlight.values()) {
            if (r.claimAnswer()) {
                metrics.answeredInFlight();
                metrics.abandoned();
            }
        }
        inFlight.clear();
    }

    /** Requests in flight, for the end of a drain that ran out of time. */
    Iterable<InferenceRequest> inFlightRequests() {
        return inFlight.values();
    }

    private void count(Message m) {
        if (m instanceof ExplainResult) metrics.resultSent();
        else if (m instanceof ErrorMessage e) metrics.failure(e.errorCode());
    }

    /** Closes the connection after what has been written to it (the answers) has gone out. */
    void closeAfterAnswers() {
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    /** Closes the connection once it is closing and nothing is left in flight. */
    void closeIfDone() {
        if (closing && inFlight.isEmpty() && channel.isActive()) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
