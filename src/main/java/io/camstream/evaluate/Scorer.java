package io.camstream.evaluate;

import io.camstream.explain.Ranking;
import io.camstream.model.TorchModel;
import io.camstream.tensor.FloatTensor;

import java.util.function.IntFunction;

/** The softmax probability of one class for many variants of one input, forwarded in chunks without autograd. */
final class Scorer {
    private final TorchModel model;
    private final int batchSize;
    private long forwards;

    Scorer(TorchModel model, int batchSize) {
        this.model = model;
        this.batchSize = batchSize;
    }

    /**
     * @param make  variant index to its (C, H, W) values (a fresh or reusable array; copied at once)
     * @param shape (C, H, W)
     */
    double[] probabilities(int count, IntFunction<float[]> make, int[] shape, int target) {
        int size = shape[0] * shape[1] * shape[2];
        double[] out = new double[count];
        for (int from = 0; from < count; from += batchSize) {
            int to = Math.min(count, from + batchSize);
            float[] batch = new float[(to - from) * size];
            for (int j = from; j < to; j++) System.arraycopy(make.apply(j), 0, batch, (j - from) * size, size);
            FloatTensor logits = model.inferenceLogits(new FloatTensor(batch, to - from, shape[0], shape[1], shape[2]), to - from);
            int k = logits.dim(1);
            for (int j = from; j < to; j++) out[j] = Ranking.softmax(logits.data(), (j - from) * k, k)[target];
            forwards += to - from;
        }
        return out;
    }

    long forwards() {
        return forwards;
    }
}
