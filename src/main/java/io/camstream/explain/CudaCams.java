package io.camstream.explain;

import io.camstream.postprocess.CamPostprocessor;
import io.camstream.postprocess.cuda.CamKernels;
import io.camstream.postprocess.cuda.WeightKind;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The {@link Explainer}'s GPU branch: for methods whose weights a kernel computes ({@link CamMethod#deviceWeights()}), with the layer's output on a CUDA
 * device, channel weights and the fused post-processing run on the device (one backward per target rank, as on the
 * CPU) and only cams and heatmaps come back to the host. Every other method, and any explainer given its own
 * post-processor, takes the CPU path (activations and gradients copied to the host).
 */
final class CudaCams {
    private CudaCams() {
    }

    static boolean handles(CamMethod method, Tensor activations, CamPostprocessor postprocessor) {
        return activations.is_cuda() && activations.dim() == 4 && postprocessor == CamPostprocessor.cpu() && method.deviceWeights() != null;
    }

    static CamPostprocessor.Maps run(CamMethod method, Tensor logits, Tensor act, Target[][] classes, int[] firstMap, int ranks,
                                     int outH, int outW, boolean relu) {
        WeightKind kind = method.deviceWeights();
        int n = classes.length;
        int maps = firstMap[n];
        CamKernels k = CamKernels.forDevice(act.device().index());
        Tensor weights = k.emptyWeights(maps, (int) act.size(1));
        for (int r = 0; r < ranks; r++) {
            int[] outRow = new int[n];
            for (int i = 0; i < n; i++) outRow[i] = classes[i].length > r ? firstMap[i] + r : -1;
            // the rank's gradient is released as soon as its weights are launched (stream order keeps that safe)
            try (PointerScope rankScope = new PointerScope()) {
                Tensor g = kind.usesGradients() ? torch.grad(new TensorVector(TargetScore.of(logits, classes, r)), new TensorVector(act), new TensorVector(),
                        new BoolOptional(r < ranks - 1), false, false).get(0) : null;
                k.channelWeights(act, g, kind, outRow, weights);
            }
        }
        int[] mapInput = new int[maps];
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < classes[i].length; r++) mapInput[firstMap[i] + r] = i;
        }
        CamKernels.DeviceMaps out = k.fused(act, weights, mapInput, outH, outW, relu, torch.ScalarType.Float);
        return new CamPostprocessor.Maps(k.toJava(out.cams()), k.toJava(out.heat()));
    }
}
