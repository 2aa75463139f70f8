package io.camstream.server;

import io.camstream.explain.ExplanationBatch;
import io.camstream.explain.Prediction;
import io.camstream.explain.Ranking;
import io.camstream.explain.Targets;
import io.camstream.postprocess.CamPostprocessor;
import io.camstream.tensor.FloatTensor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A deterministic stand-in for the model, for protocol and server behaviour tests (the end-to-end test uses the
 * real engine). Logits: per class c, the mean of channel c % 3 plus c / 100. Cams: 4x4 block means of that channel.
 * Tests can hold compute at a gate to build queues deterministically.
 */
final class FakeBackend implements InferenceBackend {
    static final int SIZE = 32;
    static final int CLASSES = 5;

    private final ModelInfo info = new ModelInfo(SIZE, SIZE, CLASSES, "fake.layer", List.of("gradcam", "gradcam++", "activations"));
    /** Sizes of the batches computed, in order. */
    final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    /** Methods of the batches computed, in order. */
    final List<String> batchMethods = new CopyOnWriteArrayList<>();
    /** First value of each input computed (tests put a marker there), in compute order. */
    final List<Float> computedMarkers = new CopyOnWriteArrayList<>();
    private final Semaphore entered = new Semaphore(0);
    private volatile CountDownLatch gate = new CountDownLatch(0);
    volatile boolean closed;
    /** When set, compute throws it (a failure with library internals in its message, say). */
    volatile RuntimeException failWith;

    /** From now on, compute waits until {@link #open()}. */
    void hold() {
        gate = new CountDownLatch(1);
    }

    void open() {
        gate.countDown();
    }

    /** Waits until a batch has entered compute (it may be held at the gate). */
    boolean awaitBatchEntered(long seconds) throws InterruptedException {
        return entered.tryAcquire(seconds, TimeUnit.SECONDS);
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public ExplanationBatch explain(String method, Targets targets, FloatTensor input) {
        entered.release();
        try {
            if (!gate.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("test gate never opened");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        RuntimeException failure = failWith;
        if (failure != null) throw failure;
        int n = input.dim(0);
        int h = input.dim(2);
        int w = input.dim(3);
        batchSizes.add(n);
        batchMethods.add(method);
        float[] logits = new float[n * CLASSES];
        for (int i = 0; i < n; i++) {
            computedMarkers.add(input.data()[i * 3 * h * w]);
            for (int c = 0; c < CLASSES; c++) logits[i * CLASSES + c] = channelMean(input, i, c % 3) + c / 100f;
        }
        io.camstream.explain.Target[][] classes = targets.resolve(logits, n, CLASSES);
        int maps = 0;
        for (io.camstream.explain.Target[] c : classes) maps += c.length;
        float[] cams = new float[maps * 16];
        int[] inputIndex = new int[maps];
        int[] targetClass = new int[maps];
        double[] targetProb = new double[maps];
        List<List<Prediction>> predictions = new ArrayList<>();
        int m = 0;
        for (int i = 0; i < n; i++) {
            double[] p = Ranking.softmax(logits, i * CLASSES, CLASSES);
            List<Prediction> preds = new ArrayList<>();
            for (int c : Ranking.topK(logits, i * CLASSES, CLASSES, CLASSES)) preds.add(new Prediction(c, "class" + c, p[c]));
            predictions.add(preds);
            for (io.camstream.explain.Target t : classes[i]) {
                int c = t.primaryClass();
                blockMeans(input, i, c % 3, cams, m * 16);
                inputIndex[m] = i;
                targetClass[m] = c;
                targetProb[m] = p[c];
                m++;
            }
        }
        CamPostprocessor.Maps out = CamPostprocessor.cpu().process(new FloatTensor(cams, maps, 4, 4), h, w, true);
        return new ExplanationBatch(out.cams(), out.heatmaps(), inputIndex, targetClass, targetProb, predictions, new FloatTensor(logits, n, CLASSES));
    }

    private static float channelMean(FloatTensor x, int i, int ch) {
        int hw = x.dim(2) * x.dim(3);
        double s = 0;
        for (int k = 0; k < hw; k++) s += x.data()[(i * 3 + ch) * hw + k];
        return (float) (s / hw);
    }

    private static void blockMeans(FloatTensor x, int i, int ch, float[] out, int offset) {
        int h = x.dim(2);
        int w = x.dim(3);
        for (int by = 0; by < 4; by++) {
            for (int bx = 0; bx < 4; bx++) {
                double s = 0;
                int cnt = 0;
                for (int y = by * h / 4; y < (by + 1) * h / 4; y++) {
                    for (int xx = bx * w / 4; xx < (bx + 1) * w / 4; xx++) {
                        s += x.data()[((i * 3 + ch) * h + y) * w + xx];
                        cnt++;
                    }
                }
                out[offset + by * 4 + bx] = (float) (s / cnt);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
