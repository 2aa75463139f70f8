package io.camstream.server;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes of decoded images the server may hold at once, server-wide: a decode reserves its image's bytes before it
 * starts and gives them back when it is done (or, for overlays, which keep the frame, when the request is answered).
 * Never waits: a decode that does not fit now is refused, so a burst of large images cannot add up.
 */
final class DecodeBudget {
    private final long capacity;
    private final AtomicLong used = new AtomicLong();

    DecodeBudget(long capacity) {
        this.capacity = capacity;
    }

    boolean tryAcquire(long bytes) {
        while (true) {
            long u = used.get();
            if (u + bytes > capacity) return false;
            if (used.compareAndSet(u, u + bytes)) return true;
        }
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }

    long used() {
        return used.get();
    }

    long capacity() {
        return capacity;
    }
}
