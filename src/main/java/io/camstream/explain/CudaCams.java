package io.camstream.explain;

import io.camstream.postprocess.CamPostprocessor;
import io.camstream.postprocess.cuda.CamKernels;
import io.camstream.postprocess.cuda.WeightKind;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The {@link Explainer}'s GPU branch: for methods whose weights a kernel computes, with the layer's output on a CUDA
 * device, channel weights and the fused post-processing run on the device (one backward per target rank, as on the
 * CPU) and only cams and heatmaps come back to the host. Every other method, and any explainer given its own
 * post-processor, takes the CPU path (activations and gradients copied to the host).
 */
final class CudaCams {
    private CudaCams() {
    }

    /** The kernel that computes {@code method}'s channel weights, or null when there is none. */
    static WeightKind kindOf(CamMethod method) {
        if (method instanceof GradCam) return WeightKind.MEAN_GRADIENT;
        if (method instanceof GradCamPlusPlus) return WeightKind.GRADCAM_PLUS_PLUS;
        if (method instanceof ActivationMap) return WeightKind.UNIFORM;
        return null;
    }

    static boolean handles(CamMethod method, Tensor activations, CamPostprocessor postprocessor) {
        return activations.is_cuda() && postprocessor == CamPostprocessor.cpu() && kindOf(method) != null;
    }

    static CamPostprocessor.Maps run(CamMethod method, Tensor logits, Tensor act, int[][] classes, int[] firstMap, int ranks,
                                     int outH, int outW, boolean relu) {
        WeightKind kind = kindOf(method);
        int n = classes.length;
        int maps = firstMap[n];
        int numClasses = (int) logits.size(1);
        CamKernels k = CamKernels.forDevice(act.device().index());
        Tensor weights = k.emptyWeights(maps, (int) act.size(1));
        for (int r = 0; r < ranks; r++) {
            int[] outRow = new int[n];
            for (int i = 0; i < n; i++) outRow[i] = classes[i].length > r ? firstMap[i] + r : -1;
            // the rank's gradient is released as soon as its weights are launched (stream order keeps that safe)
            try (PointerScope rankScope = new PointerScope()) {
                Tensor g = kind.usesGradients() ? gradient(logits, act, classes, r, numClasses, r < ranks - 1) : null;
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

    /** d(sum over inputs of logit[i, classes[i][rank]]) / d(activation), left on the activation's device. */
    private static Tensor gradient(Tensor logits, Tensor act, int[][] classes, int rank, int numClasses, boolean retain) {
        int n = classes.length;
        float[] selector = new float[n * numClasses];
        for (int i = 0; i < n; i++) {
            if (classes[i].length > rank) selector[i * numClasses + classes[i][rank]] = 1f;
        }
        Tensor sel = io.camstream.model.Tensors.toTorch(new io.camstream.tensor.FloatTensor(selector, n, numClasses)).to(logits.device(), logits.scalar_type());
        Tensor score = logits.mul(sel).sum();
        return torch.grad(new org.bytedeco.pytorch.TensorVector(score), new org.bytedeco.pytorch.TensorVector(act),
                new org.bytedeco.pytorch.TensorVector(), new org.bytedeco.pytorch.BoolOptional(retain), false, false).get(0);
    }
}
