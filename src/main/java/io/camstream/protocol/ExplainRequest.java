package io.camstream.protocol;

import java.util.Objects;

/**
 * One frame to explain.
 *
 * @param deadlineMicros budget from when the server reads the request; 0 = none
 * @param priority       0 = normal, higher first
 */
public record ExplainRequest(long requestId, long streamId, long frameNumber, String method, Target target,
                             long deadlineMicros, int priority, ResultSpec result, Payload payload) implements Message {
    public ExplainRequest {
        Wire.checkU32(requestId, "requestId");
        Wire.checkU32(streamId, "streamId");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        Wire.checkU32(deadlineMicros, "deadlineMicros");
        Wire.checkU8(priority, "priority");
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(payload, "payload");
    }

    @Override
    public Opcode opcode() {
        return Opcode.EXPLAIN;
    }

    public ExplainRequest withRequestId(long id) {
        return new ExplainRequest(id, streamId, frameNumber, method, target, deadlineMicros, priority, result, payload);
    }
}
