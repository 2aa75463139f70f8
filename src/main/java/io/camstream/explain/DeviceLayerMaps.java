package io.camstream.explain;

import io.camstream.postprocess.CamPostprocessor;
import io.camstream.postprocess.cuda.DeviceCams;

/**
 * The GPU backend: for a method whose channel weights a kernel computes ({@link CamMethod#deviceWeights()}), one
 * layer on a CUDA device, the weights and the fused post-processing run on the device from the batch's activations
 * and gradients, and only cams and heatmaps come back to the host. Eigen smoothing and a caller's own
 * post-processor are host-side, so those batches go to {@link HostLayerMaps}.
 */
final class DeviceLayerMaps implements LayerMaps {
    private final CamPostprocessor postprocessor;
    private final boolean relu;
    private final boolean eigenSmooth;

    DeviceLayerMaps(CamPostprocessor postprocessor, boolean relu, boolean eigenSmooth) {
        this.postprocessor = postprocessor;
        this.relu = relu;
        this.eigenSmooth = eigenSmooth;
    }

    @Override
    public boolean handles(ExplanationMethod method, ExplanationContext ctx) {
        return method instanceof CamMethod cam && cam.deviceWeights() != null && ctx.layers().size() == 1 && !eigenSmooth
                && postprocessor == CamPostprocessor.cpu() && ctx.pass().onCuda() && ctx.pass().activationShape(0).length == 4;
    }

    @Override
    public CamPostprocessor.Maps maps(ExplanationMethod method, ExplanationContext ctx, int outH, int outW) {
        int n = ctx.targets().length;
        int[] firstMap = new int[n + 1];
        for (int i = 0; i <= n; i++) firstMap[i] = ctx.firstMap(i);
        return DeviceCams.maps(ctx.pass(), ctx.scores(), ((CamMethod) method).deviceWeights(), firstMap, outH, outW, relu);
    }
}
