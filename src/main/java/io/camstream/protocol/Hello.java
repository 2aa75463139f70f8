package io.camstream.protocol;

import java.util.Objects;

/** The client's first frame: the versions it speaks, the largest frame it accepts, and its token. */
public record Hello(int minVersion, int maxVersion, long maxFrameBytes, String clientName, String token) implements Message {
    public Hello {
        Wire.checkU16(minVersion, "minVersion");
        Wire.checkU16(maxVersion, "maxVersion");
        Wire.checkU32(maxFrameBytes, "maxFrameBytes");
        if (clientName.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > Wire.MAX_CLIENT_NAME_BYTES) {
            throw new IllegalArgumentException("clientName is longer than " + Wire.MAX_CLIENT_NAME_BYTES + " bytes");
        }
        if (token.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > Wire.MAX_TOKEN_BYTES) {
            throw new IllegalArgumentException("token is longer than " + Wire.MAX_TOKEN_BYTES + " bytes");
        }
    }

    @Override
    public Opcode opcode() {
        return Opcode.HELLO;
    }

    @Override
    public long requestId() {
        return 0;
    }

    @Override
    public String toString() {
        // never log the token
        return "Hello[versions=" + minVersion + ".." + maxVersion + ", maxFrameBytes=" + maxFrameBytes + ", clientName=" + clientName
                + ", token=" + (token.isEmpty() ? "none" : "***") + "]";
    }
}
