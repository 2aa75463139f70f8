package io.camstream.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/** A frame whose header has been checked and whose body has not been decoded yet. Owns the body buffer. */
public final class RawFrame extends DefaultByteBufHolder {
    private final int opcode;
    private final long requestId;

    public RawFrame(int opcode, long requestId, ByteBuf body) {
        super(body);
        this.opcode = opcode;
        this.requestId = requestId;
    }

    public int opcode() {
        return opcode;
    }

    public long requestId() {
        return requestId;
    }
}
