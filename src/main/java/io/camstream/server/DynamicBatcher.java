package io.camstream.server;

import io.camstream.InvalidInputException;
import io.camstream.explain.ExplanationBatch;
import io.camstream.explain.Targets;
import io.camstream.protocol.ErrorCode;
import io.camstream.tensor.FloatTensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The loop on the thread that owns the model: take a batch from the queue, answer expired requests, run the batch,
 * hand each request's share to the workers for assembly. Results go out as soon as their batch is done.
 *
 * <p>A batch that fails is re-run request by request, so that one bad request cannot fail its batch-mates.
 */
final class DynamicBatcher implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(DynamicBatcher.class);
    /** How long one take may wait before the loop looks at its stop flag again. */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final RequestQueue queue;
    private final InferenceBackend backend;
    private final ResultAssembler assembler;
    private final Executor workers;
    /** Results assembled or waiting for assembly: bounds what finished batches can hold while workers are busy. */
    private final Semaphore assemblySlots;
    private final ServerMetrics metrics;
    private final int maxBatch;
    private final long maxDelayNanos;

    DynamicBatcher(RequestQueue queue, InferenceBackend backend, ResultAssembler assembler, Executor workers, ServerMetrics metrics,
                   int maxBatch, long maxDelayMicros) {
        this.queue = queue;
        this.backend = backend;
        this.assembler = assembler;
        this.workers = workers;
        this.assemblySlots = new Semaphore(4 * maxBatch);
        this.metrics = metrics;
        this.maxBatch = maxBatch;
        this.maxDelayNanos = TimeUnit.MICROSECONDS.toNanos(maxDelayMicros);
    }

    @Override
    public void run() {
        try {
            while (true) {
                RequestQueue.Taken taken = queue.take(maxBatch, maxDelayNanos, POLL_NANOS);
                if (taken == null) return;
                for (InferenceRequest r : taken.expired()) {
                    r.connection.answerError(r, ErrorCode.DEADLINE_EXCEEDED, "deadline passed after " + micros(System.nanoTime() - r.receivedNanos)
                            + " µs, before compute");
                }
                if (!taken.batch().isEmpty()) runSafely(taken.batch());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void runSafely(List<InferenceRequest> batch) throws InterruptedException {
        try {
            run(batch);
        } catch (InterruptedException e) {
            throw e;
        } catch (Throwable t) {
            log.error("batch of {} failed outside compute", batch.size(), t);
            for (InferenceRequest r : batch) r.connection.answerError(r, ErrorCode.INTERNAL, InternalErrors.COMPUTE);
        }
    }

    private void run(List<InferenceRequest> batch) throws InterruptedException {
        long start = System.nanoTime();
        List<FloatTensor> inputs = new ArrayList<>(batch.size());
        for (InferenceRequest r : batch) inputs.add(r.input);
        InferenceRequest first = batch.get(0);
        ExplanationBatch out;
        try {
            out = backend.explain(first.method, targets(batch), FloatTensor.concat(inputs));
        } catch (RuntimeException e) {
            if (batch.size() > 1) {
                for (InferenceRequest r : batch) run(List.of(r));
                return;
            }
            if (e instanceof InvalidInputException) {
                first.connection.answerError(first, ErrorCode.INVALID, e.getMessage());
            } else {
                log.error("request {} failed in compute", first.requestId, e);
                first.connection.answerError(first, ErrorCode.INTERNAL, InternalErrors.COMPUTE);
            }
            return;
        }
        long end = System.nanoTime();
        long[] queueNanos = new long[batch.size()];
        for (int i = 0; i < batch.size(); i++) queueNanos[i] = start - batch.get(i).receivedNanos;
        metrics.batch(batch.size(), queueNanos, end - start);
        for (int i = 0; i < batch.size(); i++) {
            InferenceRequest r = batch.get(i);
            r.input = null;
            if (r.answered()) continue;
            int index = i;
            long queueMicros = micros(queueNanos[i]);
            long computeMicros = micros(end - start);
            assemblySlots.acquire();
            workers.execute(() -> {
                try {
                    r.connection.answer(r, assembler.assemble(r, out, index, queueMicros, computeMicros, batch.size()));
                } catch (InvalidInputException e) {
                    r.connection.answerError(r, ErrorCode.INVALID, e.getMessage());
                } catch (RuntimeException | Error e) {
                    log.error("assembling the result of request {} failed", r.requestId, e);
                    r.connection.answerError(r, ErrorCode.INTERNAL, InternalErrors.ASSEMBLE);
                } finally {
                    assemblySlots.release();
                }
            });
        }
    }

    private static Targets targets(List<InferenceRequest> batch) {
        return batch.get(0).key.targets(batch.stream().map(r -> r.target).toList());
    }

    private static long micros(long nanos) {
        return TimeUnit.NANOSECONDS.toMicros(nanos);
    }
}
