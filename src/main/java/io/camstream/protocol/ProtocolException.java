package io.camstream.protocol;

import io.camstream.CamstreamException;

/**
 * Bytes that break the protocol. {@code fatal} when framing itself is broken (the next frame cannot be found), so
 * the connection must close after the error is sent.
 */
public final class ProtocolException extends CamstreamException {
    private final ErrorCode code;
    private final long requestId;
    private final boolean fatal;

    public ProtocolException(ErrorCode code, long requestId, boolean fatal, String message) {
        super(message);
        this.code = code;
        this.requestId = requestId;
        this.fatal = fatal;
    }

    public static ProtocolException malformed(long requestId, String message) {
        return new ProtocolException(ErrorCode.MALFORMED, requestId, false, message);
    }

    public static ProtocolException brokenFraming(String message) {
        return new ProtocolException(ErrorCode.MALFORMED, 0, true, message);
    }

    public ErrorCode code() {
        return code;
    }

    public long requestId() {
        return requestId;
    }

    public boolean fatal() {
        return fatal;
    }

    public ErrorMessage toErrorMessage() {
        return new ErrorMessage(requestId, code, getMessage());
    }
}
