package io.camstream.protocol;

/** Keep-alive probe; the peer answers with a {@link Pong} carrying the same id and opaque value. */
public record Ping(long requestId, long opaque) implements Message {
    public Ping {
        Wire.checkU32(requestId, "requestId");
    }

    @Override
    public Opcode opcode() {
        return Opcode.PING;
    }
}
