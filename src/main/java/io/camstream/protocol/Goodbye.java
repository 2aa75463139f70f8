package io.camstream.protocol;

import java.util.Objects;

/** "I will send no new requests on this connection." */
public record Goodbye(String reason) implements Message {
    public Goodbye {
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public Opcode opcode() {
        return Opcode.GOODBYE;
    }

    @Override
    public long requestId() {
        return 0;
    }
}
