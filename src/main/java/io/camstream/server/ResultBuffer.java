package io.camstream.server;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes of results written to connections and not yet taken by their clients (queued in the server's output
 * buffers), bounded per connection and server-wide. A result is counted from when it is handed to its connection
 * until its bytes have gone to the socket (or the connection is gone). Never waits: a result that does not fit is
 * answered OVERLOADED instead, so a client that never reads costs the server at most its share.
 */
final class ResultBuffer {
    private final long perConnection;
    private final long total;
    private final AtomicLong used = new AtomicLong();

    ResultBuffer(long perConnection, long total) {
        this.perConnection = perConnection;
        this.total = total;
    }

    long perConnection() {
        return perConnection;
    }

    long total() {
        return total;
    }

    /** Counts {@code bytes} against the connection's share ({@code connectionUsed}) and the total; false when either is full. */
    boolean tryReserve(AtomicLong connectionUsed, long bytes) {
        if (!tryAdd(connectionUsed, bytes, perConnection)) return false;
        if (tryAdd(used, bytes, total)) return true;
        connectionUsed.addAndGet(-bytes);
        return false;
    }

    void release(AtomicLong connectionUsed, long bytes) {
        connectionUsed.addAndGet(-bytes);
        used.addAndGet(-bytes);
    }

    long used() {
        return used.get();
    }

    private static boolean tryAdd(AtomicLong counter, long bytes, long limit) {
        while (true) {
            long u = counter.get();
            if (u + bytes > limit) return false;
            if (counter.compareAndSet(u, u + bytes)) return true;
        }
    }
}
