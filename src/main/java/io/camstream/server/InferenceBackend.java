package io.camstream.server;

import io.camstream.explain.ExplanationBatch;
import io.camstream.explain.Targets;
import io.camstream.tensor.FloatTensor;

/**
 * Runs one batch. Called only from the batcher thread, which owns the model; implementations need not be
 * thread-safe.
 */
public interface InferenceBackend extends AutoCloseable {
    ModelInfo info();

    /**
     * @param input (N, 3, H, W) at the model's input size
     * @return heatmaps at the model's input size, cams at layer resolution
     */
    ExplanationBatch explain(String method, Targets targets, FloatTensor input);

    @Override
    void close();
}
