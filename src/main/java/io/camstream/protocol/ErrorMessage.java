package io.camstream.protocol;

import java.util.Objects;

/** A typed error for one request (or, with id 0, the connection). The raw code is kept for codes we do not know. */
public record ErrorMessage(long requestId, int code, String message) implements Message {
    public ErrorMessage {
        Wire.checkU32(requestId, "requestId");
        Wire.checkU16(code, "code");
        Objects.requireNonNull(message, "message");
    }

    public ErrorMessage(long requestId, ErrorCode code, String message) {
        this(requestId, code.code, message);
    }

    public ErrorCode errorCode() {
        return ErrorCode.of(code);
    }

    @Override
    public Opcode opcode() {
        return Opcode.ERROR;
    }
}
