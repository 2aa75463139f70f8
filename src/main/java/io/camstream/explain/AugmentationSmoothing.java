package io.camstream.explain;

import io.camstream.postprocess.CamPostprocessor;
import io.camstream.postprocess.MinMaxNormalisation;
import io.camstream.tensor.FloatTensor;

import java.util.function.Function;

/**
 * {@code --aug-smooth}, as pytorch-grad-cam's test-time augmentation: the maps of the input, of its horizontal flip,
 * each at intensity factors 0.9, 1 and 1.1 (the normalised tensor multiplied, as ttach's {@code Multiply}); each map
 * brought back to the original orientation, then averaged (6 explanations). The explained classes are the ones
 * picked on the original input. The averaged heatmaps are min-max normalised again; {@code cams} are the average of
 * the de-augmented layer-resolution maps.
 */
final class AugmentationSmoothing {
    static final float[] FACTORS = {0.9f, 1f, 1.1f};

    private AugmentationSmoothing() {
    }

    static CamPostprocessor.Maps average(FloatTensor input, Function<FloatTensor, CamPostprocessor.Maps> explain) {
        float[] cams = null;
        float[] heat = null;
        int[] camShape = null;
        int[] heatShape = null;
        int count = 0;
        for (boolean flip : new boolean[]{false, true}) {
            for (float factor : FACTORS) {
                CamPostprocessor.Maps m = explain.apply(augment(input, flip, factor));
                float[] c = m.cams().data();
                float[] h = m.heatmaps().data();
                if (flip) {
                    flipWidth(c, m.cams().shape());
                    flipWidth(h, m.heatmaps().shape());
                }
                if (cams == null) {
                    cams = new float[c.length];
                    heat = new float[h.length];
                    camShape = m.cams().shape();
                    heatShape = m.heatmaps().shape();
                }
                for (int i = 0; i < c.length; i++) cams[i] += c[i];
                for (int i = 0; i < h.length; i++) heat[i] += h[i];
                count++;
            }
        }
        for (int i = 0; i < cams.length; i++) cams[i] /= count;
        for (int i = 0; i < heat.length; i++) heat[i] /= count;
        int s = heatShape[1] * heatShape[2];
        for (int m = 0; m < heatShape[0]; m++) MinMaxNormalisation.apply(heat, m * s, s);
        return new CamPostprocessor.Maps(new FloatTensor(cams, camShape), new FloatTensor(heat, heatShape));
    }

    static FloatTensor augment(FloatTensor x, boolean flip, float factor) {
        float[] d = x.data().clone();
        if (factor != 1f) for (int i = 0; i < d.length; i++) d[i] *= factor;
        if (flip) flipWidth(d, x.shape());
        return new FloatTensor(d, x.shape());
    }

    /** In place: reverses the last dimension of every row. */
    static void flipWidth(float[] d, int[] shape) {
        int w = shape[shape.length - 1];
        for (int row = 0; row < d.length; row += w) {
            for (int i = 0, j = w - 1; i < j; i++, j--) {
                float t = d[row + i];
                d[row + i] = d[row + j];
                d[row + j] = t;
            }
        }
    }
}
