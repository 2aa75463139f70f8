package io.camstream.protocol;

import java.util.List;
import java.util.Objects;

/** The server's handshake answer: the agreed version, its limits, and what the model offers. */
public record HelloOk(int version, long maxFrameBytes, long maxInFlight, long heartbeatMillis, long idleTimeoutMillis,
                      int inputHeight, int inputWidth, long numClasses, String layer, List<String> methods,
                      String serverName) implements Message {
    public HelloOk {
        Wire.checkU16(version, "version");
        Wire.checkU32(maxFrameBytes, "maxFrameBytes");
        Wire.checkU32(maxInFlight, "maxInFlight");
        Wire.checkU32(heartbeatMillis, "heartbeatMillis");
        Wire.checkU32(idleTimeoutMillis, "idleTimeoutMillis");
        Wire.checkU16(inputHeight, "inputHeight");
        Wire.checkU16(inputWidth, "inputWidth");
        Wire.checkU32(numClasses, "numClasses");
        Objects.requireNonNull(layer, "layer");
        methods = List.copyOf(methods);
        Wire.checkU8(methods.size(), "method count");
        Objects.requireNonNull(serverName, "serverName");
    }

    /** The same answer for a connection that agreed on {@code v}. */
    public HelloOk atVersion(int v) {
        return new HelloOk(v, maxFrameBytes, maxInFlight, heartbeatMillis, idleTimeoutMillis, inputHeight, inputWidth,
                numClasses, layer, methods, serverName);
    }

    @Override
    public Opcode opcode() {
        return Opcode.HELLO_OK;
    }

    @Override
    public long requestId() {
        return 0;
    }
}
