package io.camstream.explain;

import io.camstream.postprocess.CamPostprocessor;

import java.util.List;

/**
 * From a batch's context to post-processed maps, whatever the kind of method: input-space methods' maps are
 * post-processed as they come; layer methods go to the first {@link LayerMaps} backend that handles the batch (the
 * device one, then the host one).
 */
final class MapPipeline {
    private final CamPostprocessor postprocessor;
    private final boolean relu;
    private final List<LayerMaps> backends;

    MapPipeline(CamPostprocessor postprocessor, boolean relu, Fusion fusion, boolean eigenSmooth) {
        this.postprocessor = postprocessor;
        this.relu = relu;
        this.backends = List.of(new DeviceLayerMaps(postprocessor, relu, eigenSmooth), new HostLayerMaps(postprocessor, relu, fusion, eigenSmooth));
    }

    CamPostprocessor.Maps maps(ExplanationMethod method, ExplanationContext ctx, int outH, int outW) {
        if (method instanceof InputMethod im) {
            return postprocessor.process(im.maps(ctx, (layerMethod, h, w) -> layerMaps(layerMethod, ctx, h, w).heatmaps()), outH, outW, relu);
        }
        return layerMaps(method, ctx, outH, outW);
    }

    private CamPostprocessor.Maps layerMaps(ExplanationMethod method, ExplanationContext ctx, int outH, int outW) {
        if (ctx.layers().isEmpty()) throw new IllegalStateException(method.name() + " needs a layer, but none was captured");
        for (LayerMaps backend : backends) {
            if (backend.handles(method, ctx)) return backend.maps(method, ctx, outH, outW);
        }
        throw new IllegalArgumentException("method '" + method.name() + "' is not a CamMethod, ModelWeightedCam or InputMethod");
    }
}
