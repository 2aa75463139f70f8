package io.camstream.server;

import io.camstream.InvalidInputException;
import io.camstream.explain.ExplanationBatch;
import io.camstream.explain.Targets;
import io.camstream.image.OverlayRenderer;
import io.camstream.image.Preprocessing;
import io.camstream.protocol.ErrorCode;
import io.camstream.protocol.ErrorMessage;
import io.camstream.protocol.ExplainRequest;
import io.camstream.protocol.Message;
import io.camstream.protocol.Wire;
import io.camstream.tensor.FloatTensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The server's request path without its transport, for a caller that brings its own batches and owns the model
 * thread (the Kafka worker): the same validation, decode, batching by {@link BatchKey}, compute and assembly as
 * {@link CamstreamServer}, run on the calling thread. So a frame gets the same bytes whichever transport carried it.
 *
 * <p>Not thread-safe: one caller, the model's thread.
 */
public final class FrameProcessor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FrameProcessor.class);

    private final InferenceBackend backend;
    private final RequestValidator validator;
    private final InputDecoder decoder;
    private final ResultAssembler assembler;
    /** Stands in for a client: only its size limit is read. Nothing is ever answered through it. */
    private final Connection detached;

    /**
     * @param maxResultBytes the largest result body the caller can carry (a Kafka record's limit); a larger result
     *                       is answered INVALID instead of being computed or sent
     */
    public FrameProcessor(InferenceBackend backend, Preprocessing preprocessing, OverlayRenderer overlays, int jpegQuality, long maxResultBytes) {
        this(backend, preprocessing, overlays, jpegQuality, maxResultBytes, ServerConfig.builder().build());
    }

    /** As above, with the server's image limits ({@code --max-image-pixels}, {@code --decode-memory-mb}) from {@code limits}. */
    public FrameProcessor(InferenceBackend backend, Preprocessing preprocessing, OverlayRenderer overlays, int jpegQuality, long maxResultBytes,
                          ServerConfig limits) {
        ModelInfo info = backend.info();
        if (preprocessing.height() != info.inputHeight() || preprocessing.width() != info.inputWidth()) {
            throw new InvalidInputException("preprocessing size " + preprocessing.height() + "x" + preprocessing.width()
                    + " differs from the model's input size " + info.inputHeight() + "x" + info.inputWidth());
        }
        this.backend = backend;
        this.validator = new RequestValidator(info);
        this.decoder = new InputDecoder(preprocessing, limits.maxImagePixels, new DecodeBudget(limits.decodeMemoryBytes));
        this.assembler = new ResultAssembler(preprocessing, overlays, jpegQuality);
        this.detached = new Connection(null, null, new ResultBuffer(maxResultBytes, maxResultBytes));
        this.detached.handshaken(maxResultBytes, Wire.VERSION); // a Kafka record's version is checked when it is read
    }

    public ModelInfo info() {
        return backend.info();
    }

    /**
     * One answer per request, in the requests' order: an {@link io.camstream.protocol.ExplainResult} or an
     * {@link ErrorMessage} (INVALID for a request or frame that cannot be served, INTERNAL for a failure of ours).
     * Requests that can share a batch are computed together; a failing batch is re-run request by request.
     *
     * @param queueMicros per request, how long it waited before this call (reported in the result)
     */
    public List<Message> process(List<ExplainRequest> requests, long[] queueMicros) {
        Message[] answers = new Message[requests.size()];
        Map<BatchKey, List<Integer>> batches = new LinkedHashMap<>();
        InferenceRequest[] decoded = new InferenceRequest[requests.size()];
        long now = System.nanoTime();
        for (int i = 0; i < requests.size(); i++) {
            ExplainRequest m = requests.get(i);
            String invalid = validator.check(m);
            if (invalid != null) {
                answers[i] = new ErrorMessage(m.requestId(), ErrorCode.INVALID, invalid);
                continue;
            }
            InferenceRequest r = new InferenceRequest(m, detached, now);
            try {
                decoder.decode(r);
            } catch (InvalidInputException e) {
                answers[i] = new ErrorMessage(m.requestId(), ErrorCode.INVALID, e.getMessage());
                continue;
            } catch (OverloadedException e) {
                answers[i] = new ErrorMessage(m.requestId(), ErrorCode.OVERLOADED, e.getMessage());
                continue;
            } catch (RuntimeException e) {
                r.releaseDecodeBytes();
                log.error("decoding frame {} of stream {} failed", m.frameNumber(), m.streamId(), e);
                answers[i] = new ErrorMessage(m.requestId(), ErrorCode.INTERNAL, InternalErrors.DECODE);
                continue;
            }
            decoded[i] = r;
            batches.computeIfAbsent(r.key, k -> new ArrayList<>()).add(i);
        }
        try {
            for (List<Integer> batch : batches.values()) compute(batch, decoded, answers, queueMicros);
        } finally {
            for (InferenceRequest r : decoded) if (r != null) r.releaseDecodeBytes(); // overlays held their decoded frame until now
        }
        return List.of(answers);
    }

    private void compute(List<Integer> batch, InferenceRequest[] decoded, Message[] answers, long[] queueMicros) {
        List<FloatTensor> inputs = new ArrayList<>(batch.size());
        List<InferenceRequest> requests = new ArrayList<>(batch.size());
        for (int i : batch) {
            inputs.add(decoded[i].input);
            requests.add(decoded[i]);
        }
        InferenceRequest first = requests.get(0);
        long start = System.nanoTime();
        ExplanationBatch out;
        try {
            out = backend.explain(first.method, targets(requests), FloatTensor.concat(inputs));
        } catch (RuntimeException e) {
            if (batch.size() > 1) {
                for (int i : batch) compute(List.of(i), decoded, answers, queueMicros);
                return;
            }
            boolean invalid = e instanceof InvalidInputException;
            if (!invalid) log.error("frame {} of stream {} failed in compute", first.frameNumber, first.streamId, e);
            answers[batch.get(0)] = invalid ? new ErrorMessage(first.requestId, ErrorCode.INVALID, e.getMessage())
                    : new ErrorMessage(first.requestId, ErrorCode.INTERNAL, InternalErrors.COMPUTE);
            return;
        }
        long computeMicros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
        for (int j = 0; j < batch.size(); j++) {
            int i = batch.get(j);
            InferenceRequest r = decoded[i];
            try {
                answers[i] = assembler.assemble(r, out, j, queueMicros[i], computeMicros, batch.size());
            } catch (InvalidInputException e) {
                answers[i] = new ErrorMessage(r.requestId, ErrorCode.INVALID, e.getMessage());
            } catch (RuntimeException e) {
                log.error("assembling the result of frame {} of stream {} failed", r.frameNumber, r.streamId, e);
                answers[i] = new ErrorMessage(r.requestId, ErrorCode.INTERNAL, InternalErrors.ASSEMBLE);
            }
        }
    }

    private static Targets targets(List<InferenceRequest> batch) {
        return batch.get(0).key.targets(batch.stream().map(r -> r.target).toList());
    }

    @Override
    public void close() {
        backend.close();
    }
}
