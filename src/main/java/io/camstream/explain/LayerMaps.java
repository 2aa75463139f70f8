package io.camstream.explain;

import io.camstream.postprocess.CamPostprocessor;

/**
 * Where a layer method's maps are computed from a batch's {@link ExplanationContext}: {@link HostLayerMaps} from
 * activations and gradients copied to the host (every layer method, any device), {@link DeviceLayerMaps} on the CUDA
 * device they live on (methods with a weight kernel). The {@link MapPipeline} takes the first that handles a batch.
 */
interface LayerMaps {
    /** Whether this backend computes {@code method}'s maps for {@code ctx} as configured. */
    boolean handles(ExplanationMethod method, ExplanationContext ctx);

    /** Post-processed maps (cams at the layer's grid, heatmaps at {@code outH x outW}), one per explained pair. */
    CamPostprocessor.Maps maps(ExplanationMethod method, ExplanationContext ctx, int outH, int outW);
}
