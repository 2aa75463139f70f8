package io.camstream.explain;

import io.camstream.InvalidInputException;
import io.camstream.postprocess.BilinearResize;
import io.camstream.tensor.FloatTensor;

/**
 * Score-CAM (Wang et al. 2020), as pytorch-grad-cam: every activation channel, upsampled to the input size
 * (bilinear, {@code align_corners=True}) and min-max normalised ({@code (A - min) / (max - min + 1e-8)}), masks the
 * input (multiplied with the normalised tensor); the channel's weight is the softmax over channels of the target
 * score (a {@link Target}: logit, probability, contrast...) on its masked input. No gradients: C forwards per input, run {@code batchSize} masked copies at a time
 * without autograd. All targets of an input share those forwards.
 */
public final class ScoreCam implements ModelWeightedCam {
    public static final int DEFAULT_BATCH_SIZE = 16;
    static final double EPS = 1e-8;
    private final int batchSize;

    public ScoreCam() {
        this(DEFAULT_BATCH_SIZE);
    }

    public ScoreCam(int batchSize) {
        if (batchSize < 1) throw new InvalidInputException("--batch-size must be at least 1, got " + batchSize);
        this.batchSize = batchSize;
    }

    @Override
    public String name() {
        return "scorecam";
    }

    @Override
    public boolean usesGradients() {
        return false;
    }

    @Override
    public float[] channelWeights(ExplanationContext ctx, int layer) {
        FloatTensor act = ctx.activations(layer);
        FloatTensor x = ctx.input();
        int channels = act.dim(1);
        int h = act.dim(2);
        int w = act.dim(3);
        int inC = x.dim(1);
        int bigH = x.dim(2);
        int bigW = x.dim(3);
        int plane = bigH * bigW;
        int numClasses = ctx.numClasses();
        float[] weights = new float[ctx.mapCount() * channels];
        float[] mask = new float[plane];
        for (int i = 0; i < x.dim(0); i++) {
            float[] logits = new float[channels * numClasses];
            int xOffset = i * inC * plane;
            for (int from = 0; from < channels; from += batchSize) {
                int to = Math.min(channels, from + batchSize);
                float[] batch = new float[(to - from) * inC * plane];
                for (int c = from; c < to; c++) {
                    BilinearResize.resizeAlignCorners(act.data(), ((i * channels) + c) * h * w, h, w, mask, 0, bigH, bigW);
                    normalise(mask);
                    int o = (c - from) * inC * plane;
                    for (int k = 0; k < inC; k++) {
                        for (int p = 0; p < plane; p++) batch[o + k * plane + p] = x.data()[xOffset + k * plane + p] * mask[p];
                    }
                }
                FloatTensor out = ctx.model().inferenceLogits(new FloatTensor(batch, to - from, inC, bigH, bigW), batchSize);
                System.arraycopy(out.data(), 0, logits, from * numClasses, (to - from) * numClasses);
            }
            for (int m = ctx.firstMap(i); m < ctx.firstMap(i + 1); m++) {
                Target target = ctx.target(m);
                double[] score = new double[channels];
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < channels; c++) {
                    score[c] = target.value(logits, c * numClasses, numClasses);
                    max = Math.max(max, score[c]);
                }
                double sum = 0;
                double[] e = new double[channels];
                for (int c = 0; c < channels; c++) {
                    e[c] = Math.exp(score[c] - max);
                    sum += e[c];
                }
                for (int c = 0; c < channels; c++) weights[m * channels + c] = (float) (e[c] / sum);
            }
        }
        return weights;
    }

    private static void normalise(float[] m) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : m) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        float range = (float) (max - min + EPS);
        for (int p = 0; p < m.length; p++) m[p] = (m[p] - min) / range;
    }
}
