package io.camstream.explain;

import io.camstream.postprocess.CamPostprocessor;
import io.camstream.postprocess.MinMaxNormalisation;
import io.camstream.postprocess.WeightedChannelSum;
import io.camstream.tensor.FloatTensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The host backend for every layer method, on any device: maps from activations and gradients copied to the host,
 * then optional eigen smoothing, fusion of several layers, ReLU, resizing and normalisation by the post-processor.
 */
final class HostLayerMaps implements LayerMaps {
    private final CamPostprocessor postprocessor;
    private final boolean relu;
    private final Fusion fusion;
    private final boolean eigenSmooth;

    HostLayerMaps(CamPostprocessor postprocessor, boolean relu, Fusion fusion, boolean eigenSmooth) {
        this.postprocessor = postprocessor;
        this.relu = relu;
        this.fusion = fusion;
        this.eigenSmooth = eigenSmooth;
    }

    @Override
    public boolean handles(ExplanationMethod method, ExplanationContext ctx) {
        return method instanceof CamMethod || method instanceof ModelWeightedCam;
    }

    /**
     * One layer: its raw maps post-processed. Several: each layer's map ReLU'd, resized and normalised, fused, and
     * normalised again (pytorch-grad-cam's aggregation, with max as an option) at the output size for the heatmaps
     * and at the finest layer's grid for the cams.
     */
    @Override
    public CamPostprocessor.Maps maps(ExplanationMethod method, ExplanationContext ctx, int outH, int outW) {
        int layers = ctx.layers().size();
        if (layers == 1) return postprocessor.process(rawLayerMaps(method, ctx, 0), outH, outW, relu);
        List<FloatTensor> raw = new ArrayList<>();
        int finest = 0;
        for (int l = 0; l < layers; l++) {
            raw.add(rawLayerMaps(method, ctx, l));
            if (raw.get(l).dim(1) * raw.get(l).dim(2) > raw.get(finest).dim(1) * raw.get(finest).dim(2)) finest = l;
        }
        int fh = raw.get(finest).dim(1);
        int fw = raw.get(finest).dim(2);
        int m = ctx.mapCount();
        float[] heat = fuse(raw, m, outH, outW);
        float[] cams = fuse(raw, m, fh, fw);
        for (int i = 0; i < m; i++) MinMaxNormalisation.apply(heat, i * outH * outW, outH * outW);
        return new CamPostprocessor.Maps(new FloatTensor(cams, m, fh, fw), new FloatTensor(heat, m, outH, outW));
    }

    private float[] fuse(List<FloatTensor> raw, int maps, int h, int w) {
        float[] acc = null;
        for (int l = 0; l < raw.size(); l++) {
            FloatTensor r = raw.get(l);
            float[] copy = r.data().clone();
            float[] scaled = postprocessor.process(new FloatTensor(copy, r.shape()), h, w, relu).heatmaps().data();
            if (acc == null) acc = scaled.clone();
            else fusion.combine(acc, scaled, 0, maps * h * w, l);
        }
        return acc;
    }

    /** (maps, h, w) maps of one layer before ReLU. */
    private FloatTensor rawLayerMaps(ExplanationMethod method, ExplanationContext ctx, int layer) {
        FloatTensor act = ctx.activations(layer);
        float[] a = act.data();
        int channels = act.dim(1);
        int h = act.dim(2);
        int w = act.dim(3);
        int pixels = h * w;
        int maps = ctx.mapCount();
        float[] raw = new float[maps * pixels];
        float[] map = new float[pixels];
        float[] terms = eigenSmooth ? new float[channels * pixels] : null;
        if (method instanceof CamMethod cam) {
            for (int m = 0; m < maps; m++) {
                float[] g = cam.usesGradients() ? ctx.gradients(layer, ctx.rankOf(m)).data() : null;
                int offset = ctx.inputOf(m) * channels * pixels;
                if (eigenSmooth && cam.contributions(a, g, offset, channels, h, w, terms)) {
                    System.arraycopy(EigenProjection.project(terms, channels, pixels), 0, raw, m * pixels, pixels);
                } else {
                    cam.computeMap(a, g, offset, channels, h, w, map);
                    System.arraycopy(map, 0, raw, m * pixels, pixels);
                }
            }
        } else if (method instanceof ModelWeightedCam weighted) {
            float[] weights = weighted.channelWeights(ctx, layer);
            float[] wm = new float[channels];
            for (int m = 0; m < maps; m++) {
                System.arraycopy(weights, m * channels, wm, 0, channels);
                int offset = ctx.inputOf(m) * channels * pixels;
                if (eigenSmooth) {
                    ChannelWeightedCam.weightChannels(a, offset, wm, channels, pixels, terms);
                    System.arraycopy(EigenProjection.project(terms, channels, pixels), 0, raw, m * pixels, pixels);
                } else {
                    WeightedChannelSum.compute(a, offset, wm, channels, pixels, map);
                    System.arraycopy(map, 0, raw, m * pixels, pixels);
                }
            }
        } else {
            throw new IllegalArgumentException("method '" + method.name() + "' is not a CamMethod, ModelWeightedCam or InputMethod");
        }
        return new FloatTensor(raw, maps, h, w);
    }
}
