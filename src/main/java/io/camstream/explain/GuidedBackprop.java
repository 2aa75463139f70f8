package io.camstream.explain;

import io.camstream.model.GuidedBackpropGraph;
import io.camstream.tensor.FloatTensor;

import java.util.List;

/**
 * Guided backpropagation (Springenberg et al. 2015): the gradient of the target score with respect to the input,
 * where every ReLU passes gradient back only where its input was positive and the gradient is positive
 * ({@link GuidedBackpropGraph}). The map is the largest absolute value over the input's channels, per pixel
 * ({@code max_c |dS/dx_c|}, as Simonyan et al.'s saliency maps), so it is never negative. One backward per target rank.
 */
public final class GuidedBackprop implements InputMethod {
    @Override
    public String name() {
        return "guided-backprop";
    }

    @Override
    public boolean usesGradients() {
        return false;
    }

    @Override
    public boolean usesLayers() {
        return false;
    }

    @Override
    public FloatTensor maps(ExplanationContext ctx, LayerHeatmaps layerHeatmaps) {
        return guidedGradients(ctx);
    }

    /** (maps, H, W): max over channels of |guided gradient| for every explained pair. */
    static FloatTensor guidedGradients(ExplanationContext ctx) {
        FloatTensor x = ctx.input();
        int n = x.dim(0);
        int channels = x.dim(1);
        int plane = x.dim(2) * x.dim(3);
        Target[][] targets = ctx.targets();
        List<FloatTensor> perRank = ctx.model().guidedInputGradients(x, ctx.scores());
        float[] out = new float[ctx.mapCount() * plane];
        for (int r = 0; r < ctx.ranks(); r++) {
            float[] grad = perRank.get(r).data();
            for (int i = 0; i < n; i++) {
                if (targets[i].length <= r) continue;
                int m = ctx.firstMap(i) + r;
                for (int p = 0; p < plane; p++) {
                    float best = 0f;
                    for (int c = 0; c < channels; c++) best = Math.max(best, Math.abs(grad[(i * channels + c) * plane + p]));
                    out[m * plane + p] = best;
                }
            }
        }
        return new FloatTensor(out, ctx.mapCount(), x.dim(2), x.dim(3));
    }
}
