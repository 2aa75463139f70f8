package io.camstream.server;

import io.camstream.InvalidInputException;
import io.camstream.protocol.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admitted requests from decode to answer: decode on the workers, the bounded queue, the batcher on its own
 * thread (the model's owner). The worker queue needs no bound of its own: every task in it belongs to an admitted
 * request (bounded by the queue capacity) or to a batch result (bounded by the batcher's assembly slots).
 */
final class RequestPipeline implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RequestPipeline.class);

    private final RequestQueue queue;
    private final InputDecoder decoder;
    private final ExecutorService workers;
    private final Thread batcherThread;
    private final InferenceBackend backend;

    RequestPipeline(ServerConfig config, InferenceBackend backend, InputDecoder decoder, ResultAssembler assembler, ServerMetrics metrics,
                    RequestQueue queue) {
        this.queue = queue;
        this.decoder = decoder;
        this.backend = backend;
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(config.workerThreads, config.workerThreads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "camstream-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        DynamicBatcher batcher = new DynamicBatcher(queue, backend, assembler, workers, metrics, config.maxBatch, config.maxDelayMicros);
        this.batcherThread = new Thread(batcher, "camstream-batcher");
        this.batcherThread.setDaemon(true);
    }

    void start() {
        batcherThread.start();
    }

    /** Reserves a queue slot for a request about to be submitted; false = overloaded (or shutting down). */
    boolean reserve(InferenceRequest r) {
        return queue.tryReserve(r);
    }

    /** False once shutdown has begun. */
    boolean isAdmitting() {
        return queue.isAdmitting();
    }

    /** Gives back a slot reserved for a request that will not be submitted. */
    void release() {
        queue.release();
    }

    /** Decodes a request that holds a reserved slot, then queues it. */
    void submit(InferenceRequest r) {
        try {
            workers.execute(() -> decodeAndQueue(r));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            queue.release();
            r.connection.answerError(r, ErrorCode.SHUTTING_DOWN, "the server is shutting down");
        }
    }

    private void decodeAndQueue(InferenceRequest r) {
        try {
            if (r.answered()) {
                queue.release();
                return;
            }
            decoder.decode(r);
        } catch (InvalidInputException e) {
            queue.release();
            r.connection.answerError(r, ErrorCode.INVALID, e.getMessage());
            return;
        } catch (OverloadedException e) {
            queue.release();
            r.connection.answerError(r, ErrorCode.OVERLOADED, e.getMessage());
            return;
        } catch (RuntimeException | Error e) {
            // every request gets its answer, even when decoding fails in a way nobody planned for; the details (which
            // name library internals) go to the log, not to the client
            queue.release();
            r.releaseDecodeBytes();
            log.warn("decoding request {} failed: {}", r.requestId, e.toString());
            log.debug("decoding request {} failed", r.requestId, e);
            r.connection.answerError(r, ErrorCode.INTERNAL, InternalErrors.DECODE);
            return;
        }
        long now = System.nanoTime();
        if (r.expiredAt(now)) {
            queue.release();
            r.connection.answerError(r, ErrorCode.DEADLINE_EXCEEDED, "deadline passed while the frame was being decoded");
        } else if (!queue.put(r, now)) {
            r.connection.answerError(r, ErrorCode.SHUTTING_DOWN, "the server is shutting down");
        }
    }

    /** Requests decoding or queued. */
    int occupancy() {
        return queue.occupancy();
    }

    void stopAdmission() {
        queue.stopAdmission();
    }

    /** No more batches: what is still queued is answered SHUTTING_DOWN; the batch being computed (if any) runs on. */
    void stopBatching() {
        queue.close();
        for (InferenceRequest r : queue.drain()) r.connection.answerError(r, ErrorCode.SHUTTING_DOWN, "the server is shutting down");
    }

    /**
     * Stops batching, then waits for the batcher and the workers at most 10 s each, and closes the model only when
     * the batcher has stopped.
     */
    @Override
    public void close() {
        stopBatching();
        try {
            batcherThread.join(10_000);
            workers.shutdown();
            if (!workers.awaitTermination(10, TimeUnit.SECONDS)) log.warn("workers still busy after 10 s; stopping anyway");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
        if (batcherThread.isAlive()) {
            log.warn("the batcher is still computing after 10 s; the model is left open");
        } else {
            backend.close();
        }
    }
}
