package io.camstream.explain;

import io.camstream.InvalidInputException;
import io.camstream.model.LinearHead;
import io.camstream.tensor.FloatTensor;

import java.util.Locale;

/**
 * The original CAM (Zhou et al. 2016): channel weights are the target's row of the final linear layer, for a layer
 * followed only by global average pooling and that linear layer. The head is checked on every batch, numerically:
 * the logits must equal {@code W * mean_hw(A) + b} of the model's last {@code nn.Linear}; otherwise this throws an
 * {@link UnsupportedHeadException} that says why (Grad-CAM equals CAM up to a factor on such heads and works on any).
 */
public final class Cam implements ModelWeightedCam {
    /** Largest |difference| between the logits and the linear head on pooled activations, relative to the largest |logit|. */
    static final double HEAD_TOLERANCE = 1e-3;

    @Override
    public String name() {
        return "cam";
    }

    @Override
    public boolean usesGradients() {
        return false;
    }

    @Override
    public float[] channelWeights(ExplanationContext ctx, int layer) {
        String layerName = ctx.layers().get(layer);
        for (int m = 0; m < ctx.mapCount(); m++) {
            if (ctx.target(m).score() != Target.Score.LOGIT) {
                throw new InvalidInputException("cam weights channels by the linear head's rows, which explain logits only; a probability "
                        + "score (--score prob) is not linear in them. Use --score logit, or --method gradcam, which takes any score.");
            }
        }
        LinearHead head = LinearHead.last(ctx.model());
        if (head == null) {
            throw refuse(layerName, "the model has no nn.Linear submodule (a module with in_features, out_features and a 2-D weight)");
        }
        String linear = head.path();
        FloatTensor weight = head.weight();
        FloatTensor bias = head.bias();
        FloatTensor act = ctx.activations(layer);
        int n = act.dim(0);
        int channels = act.dim(1);
        int pixels = act.dim(2) * act.dim(3);
        int k = ctx.numClasses();
        if (weight.dim(1) != channels || weight.dim(0) != k) {
            throw refuse(layerName, String.format(Locale.ROOT, "the last linear layer '%s' maps %d features to %d classes, but the layer has %d channels and the model %d classes",
                    linear, weight.dim(1), weight.dim(0), channels, k));
        }
        double worst = 0;
        double scale = 0;
        for (int i = 0; i < n; i++) {
            double[] pooled = new double[channels];
            for (int c = 0; c < channels; c++) {
                double s = 0;
                int base = (i * channels + c) * pixels;
                for (int p = 0; p < pixels; p++) s += act.data()[base + p];
                pooled[c] = s / pixels;
            }
            for (int j = 0; j < k; j++) {
                double z = bias == null ? 0 : bias.data()[j];
                for (int c = 0; c < channels; c++) z += weight.data()[j * channels + c] * pooled[c];
                double logit = ctx.logits().data()[i * k + j];
                worst = Math.max(worst, Math.abs(z - logit));
                scale = Math.max(scale, Math.abs(logit));
            }
        }
        if (worst > HEAD_TOLERANCE * Math.max(scale, 1e-6)) {
            throw refuse(layerName, String.format(Locale.ROOT, "the logits differ from '%s' applied to the layer's spatial mean by up to %.4g (largest |logit| %.4g), "
                    + "so something other than global average pooling lies between them", linear, worst, scale));
        }
        float[] weights = new float[ctx.mapCount() * channels];
        for (int m = 0; m < ctx.mapCount(); m++) {
            // a linear score sum_j w_j logit_j has the head's rows combined with the same weights
            Target t = ctx.target(m);
            for (int j = 0; j < t.classes().length; j++) {
                int row = t.classes()[j] * channels;
                for (int c = 0; c < channels; c++) weights[m * channels + c] += t.weights()[j] * weight.data()[row + c];
            }
        }
        return weights;
    }

    private static UnsupportedHeadException refuse(String layer, String why) {
        return new UnsupportedHeadException("cam needs layer '" + layer + "' to be followed only by global average pooling and one linear layer "
                + "(logits = W * mean(A) + b), but " + why + ". Use --method gradcam: it equals CAM (up to a constant factor) on such heads and works on any head.");
    }
}
