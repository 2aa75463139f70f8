package io.camstream.server;

import io.camstream.protocol.ExplainRequest;
import io.camstream.protocol.Payload;
import io.camstream.protocol.ResultSpec;
import io.camstream.protocol.Target;
import io.camstream.tensor.FloatTensor;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One admitted request on its way through decode, queue, batch and reply. The payload is dropped once decoded so
 * that queued requests hold only what compute and the reply need.
 */
final class InferenceRequest {
    final long requestId;
    final long streamId;
    final long frameNumber;
    final String method;
    final Target target;
    final int priority;
    final ResultSpec result;
    final BatchKey key;
    final Connection connection;
    final long receivedNanos;
    /** {@link Long#MAX_VALUE} when the request has no deadline. */
    final long deadlineNanos;
    private final AtomicBoolean answered = new AtomicBoolean();
    /** Decoded-image bytes this request holds in the server's {@link DecodeBudget}, given back once. */
    private final AtomicLong decodeBytes = new AtomicLong();
    private volatile DecodeBudget decodeBudget;

    private Payload payload;
    /** Set by decode: the (1, 3, H, W) model input. */
    FloatTensor input;
    /** Set by decode for overlays: the frame as packed BGR bytes, and its size. */
    byte[] bgr;
    int frameHeight;
    int frameWidth;
    /** Set by decode: the size the maps are returned at. */
    int outHeight;
    int outWidth;
    /** Set by the queue: when decode finished and it was queued, and its place in arrival order. */
    long enqueuedNanos;
    long sequence;

    InferenceRequest(ExplainRequest m, Connection connection, long receivedNanos) {
        this.requestId = m.requestId();
        this.streamId = m.streamId();
        this.frameNumber = m.frameNumber();
        this.method = m.method();
        this.target = m.target();
        this.priority = m.priority();
        this.result = m.result();
        this.key = BatchKey.of(m.method(), m.target());
        this.connection = connection;
        this.receivedNanos = receivedNanos;
        this.deadlineNanos = m.deadlineMicros() == 0 ? Long.MAX_VALUE : receivedNanos + m.deadlineMicros() * 1000;
        this.payload = m.payload();
    }

    /** The payload, once: decode takes it and the request lets go of it. */
    Payload takePayload() {
        Payload p = payload;
        payload = null;
        return p;
    }

    boolean expiredAt(long nowNanos) {
        return deadlineNanos != Long.MAX_VALUE && nowNanos - deadlineNanos >= 0;
    }

    /** True exactly once: the caller is the one that answers (or abandons) this request; its decode memory goes back then. */
    boolean claimAnswer() {
        if (!answered.compareAndSet(false, true)) return false;
        releaseDecodeBytes();
        return true;
    }

    /** Records decode memory reserved for this request (the caller reserved it in {@code budget}). */
    void holdDecodeBytes(DecodeBudget budget, long bytes) {
        decodeBudget = budget;
        decodeBytes.set(bytes);
        // answered meanwhile (the connection went away): claimAnswer may have looked before the bytes were recorded
        if (answered()) releaseDecodeBytes();
    }

    /** Gives the reserved decode memory back; safe to call more than once. */
    void releaseDecodeBytes() {
        long n = decodeBytes.getAndSet(0);
        if (n > 0) decodeBudget.release(n);
    }

    boolean answered() {
        return answered.get();
    }
}
