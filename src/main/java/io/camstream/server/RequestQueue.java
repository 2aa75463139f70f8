package io.camstream.server;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded queue in front of the batcher. A slot is reserved when a request is admitted (before decode), so the
 * bound covers everything between reading a request and taking it into a batch; a full queue is an immediate
 * refusal, never a wait.
 *
 * <p>Batches form as in Triton's dynamic batcher: ready when {@code maxBatch} requests are queued or the oldest has
 * waited {@code maxDelay}; then the highest-priority, oldest request and up to {@code maxBatch - 1} more with its
 * {@link BatchKey}, by priority then arrival. Requests whose deadline passed or whose connection is gone are taken
 * out on the way and handed back separately, so that they never occupy a place in a batch.
 */
final class RequestQueue {
    /** What one take returns: the batch to run, and the requests removed because they can no longer run. */
    record Taken(List<InferenceRequest> batch, List<InferenceRequest> expired, List<InferenceRequest> abandoned) {
    }

    private static final Comparator<InferenceRequest> SERVICE_ORDER =
            Comparator.<InferenceRequest>comparingInt(r -> -r.priority).thenComparingLong(r -> r.sequence);

    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** In arrival order: the first element is the oldest. */
    private final List<InferenceRequest> queued = new ArrayList<>();
    private int reserved;
    private long nextSequence;
    private boolean admitting = true;
    private boolean closed;

    RequestQueue(int capacity) {
        this.capacity = capacity;
    }

    /**
     * Reserves a slot for a request about to be decoded, and fixes its place in arrival order (decoding runs in
     * parallel, so the order requests finish decoding in is not the order they came in); false when the queue is
     * full or closed.
     */
    boolean tryReserve(InferenceRequest r) {
        lock.lock();
        try {
            if (!admitting || reserved >= capacity) return false;
            reserved++;
            r.sequence = nextSequence++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Gives back a reserved slot whose request will not be queued (it failed to decode, or it was answered). */
    void release() {
        lock.lock();
        try {
            reserved--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Queues a request with a reserved slot; false (slot released) when the queue has been closed meanwhile. */
    boolean put(InferenceRequest r, long nowNanos) {
        lock.lock();
        try {
            if (closed) {
                reserved--;
                changed.signalAll();
                return false;
            }
            r.enqueuedNanos = nowNanos;
            queued.add(r);
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    boolean isAdmitting() {
        lock.lock();
        try {
            return admitting;
        } finally {
            lock.unlock();
        }
    }

    /** Requests admitted and not yet taken: decoding or queued. */
    int occupancy() {
        lock.lock();
        try {
            return reserved;
        } finally {
            lock.unlock();
        }
    }

    int queued() {
        lock.lock();
        try {
            return queued.size();
        } finally {
            lock.unlock();
        }
    }

    /** No more admissions (shutdown has begun); what is admitted still runs, and batches no longer wait to fill. */
    void stopAdmission() {
        lock.lock();
        try {
            admitting = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Nothing more is queued; {@link #take} returns what is left, then null. */
    void close() {
        lock.lock();
        try {
            admitting = false;
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Empties the queue (after close), returning what was in it; their slots are released. */
    List<InferenceRequest> drain() {
        lock.lock();
        try {
            List<InferenceRequest> all = new ArrayList<>(queued);
            reserved -= all.size();
            queued.clear();
            changed.signalAll();
            return all;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Blocks until a batch is ready (or the queue is closed and empty: then null). Waits at most {@code maxWait}
     * in total, returning an empty {@link Taken} when it runs out, so the caller can check for shutdown.
     */
    Taken take(int maxBatch, long maxDelayNanos, long maxWaitNanos) throws InterruptedException {
        long giveUp = System.nanoTime() + maxWaitNanos;
        lock.lock();
        try {
            while (true) {
                long now = System.nanoTime();
                if (queued.isEmpty()) {
                    if (closed) return null;
                    if (now - giveUp >= 0) return new Taken(List.of(), List.of(), List.of());
                    changed.awaitNanos(giveUp - now);
                    continue;
                }
                long readyAt = queued.get(0).enqueuedNanos + maxDelayNanos;
                if (queued.size() >= maxBatch || now - readyAt >= 0 || !admitting) return form(maxBatch, now);
                if (now - giveUp >= 0) return new Taken(List.of(), List.of(), List.of());
                changed.awaitNanos(Math.min(readyAt, giveUp) - now);
            }
        } finally {
            lock.unlock();
        }
    }

    private Taken form(int maxBatch, long now) {
        List<InferenceRequest> expired = new ArrayList<>();
        List<InferenceRequest> abandoned = new ArrayList<>();
        List<InferenceRequest> live = new ArrayList<>(queued.size());
        for (InferenceRequest r : queued) {
            if (r.answered()) abandoned.add(r);
            else if (r.expiredAt(now)) expired.add(r);
            else live.add(r);
        }
        List<InferenceRequest> batch = new ArrayList<>();
        if (!live.isEmpty()) {
            live.sort(SERVICE_ORDER);
            BatchKey key = live.get(0).key;
            for (InferenceRequest r : live) {
                if (batch.size() == maxBatch) break;
                if (r.key.equals(key)) batch.add(r);
            }
        }
        queued.removeAll(expired);
        queued.removeAll(abandoned);
        queued.removeAll(batch);
        reserved -= expired.size() + abandoned.size() + batch.size();
        return new Taken(batch, expired, abandoned);
    }
}
