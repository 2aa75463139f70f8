package io.camstream.client;

import io.camstream.CamstreamException;
import io.camstream.protocol.ErrorCode;
import io.camstream.protocol.ErrorMessage;

/**
 * A request that ended without a result: either the server's typed error, or a failure on this side (no
 * connection, connection lost before the answer, window full, a target the agreed version lacks), which the server
 * never saw or never answered.
 */
public final class RequestFailedException extends CamstreamException {
    /** Failures decided on the client's side. */
    public enum LocalReason {
        /** There was no usable connection; nothing was sent. */
        NOT_CONNECTED,
        /** The connection closed before the answer came; the server may or may not have computed it. */
        CONNECTION_LOST,
        /** The connection's window (the server's maxInFlight) was full; nothing was sent. */
        WINDOW_FULL,
        /** The request needs a newer protocol version than the one agreed with this server; nothing was sent. */
        VERSION_TOO_OLD
    }

    private final ErrorCode code;
    private final LocalReason local;

    private RequestFailedException(ErrorCode code, LocalReason local, String message) {
        super(message);
        this.code = code;
        this.local = local;
    }

    static RequestFailedException fromServer(ErrorMessage e) {
        return new RequestFailedException(e.errorCode(), null, "server answered " + e.errorCode() + String.format(" (0x%04x)", e.code()) + ": " + e.message());
    }

    static RequestFailedException local(LocalReason reason, String message) {
        return new RequestFailedException(null, reason, message);
    }

    /** The server's code, or null for a local failure. */
    public ErrorCode code() {
        return code;
    }

    /** The local reason, or null when the server answered. */
    public LocalReason localReason() {
        return local;
    }

    /** For reports: the error code's name or the local reason's. */
    public String type() {
        return code != null ? code.name() : local.name();
    }

    /** Whether sending the same request again (later, or on a new connection) can succeed. */
    public boolean retryable() {
        return code != null ? code.retryable() : local != LocalReason.VERSION_TOO_OLD;
    }
}
