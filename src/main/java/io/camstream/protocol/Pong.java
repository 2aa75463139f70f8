package io.camstream.protocol;

/** Answer to a {@link Ping}. */
public record Pong(long requestId, long opaque) implements Message {
    public Pong {
        Wire.checkU32(requestId, "requestId");
    }

    @Override
    public Opcode opcode() {
        return Opcode.PONG;
    }
}
