package io.camstream.postprocess.cuda;

import io.camstream.model.CapturedPass;
import io.camstream.model.ScoreWeights;
import io.camstream.postprocess.CamPostprocessor;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.List;

/**
 * A layer's CAMs on the CUDA device its activations live on: channel weights per target rank from the pass's
 * gradients ({@link CamKernels#channelWeights}), then the fused weighted sum, ReLU, resize and normalisation; only
 * cams and heatmaps are copied to the host.
 */
public final class DeviceCams {
    private DeviceCams() {
    }

    /**
     * @param scores   each target rank's score, in rank order
     * @param firstMap each input's first map index, and the map count last (n + 1 entries)
     */
    public static CamPostprocessor.Maps maps(CapturedPass pass, List<ScoreWeights> scores, WeightKind kind, int[] firstMap, int outH, int outW, boolean relu) {
        Tensor act = pass.activationTensor(0);
        int n = firstMap.length - 1;
        int maps = firstMap[n];
        CamKernels k = CamKernels.forDevice(act.device().index());
        Tensor weights = k.emptyWeights(maps, (int) act.size(1));
        if (kind.usesGradients()) {
            // one rank's gradients on the device at a time, released once its weights are launched
            pass.forEachRankGradients(scores, (r, grads) -> k.channelWeights(act, grads.get(0), kind, rowsOfRank(firstMap, r), weights));
        } else {
            for (int r = 0; r < scores.size(); r++) k.channelWeights(act, null, kind, rowsOfRank(firstMap, r), weights);
        }
        int[] mapInput = new int[maps];
        for (int i = 0; i < n; i++) {
            for (int m = firstMap[i]; m < firstMap[i + 1]; m++) mapInput[m] = i;
        }
        CamKernels.DeviceMaps out = k.fused(act, weights, mapInput, outH, outW, relu, torch.ScalarType.Float);
        return new CamPostprocessor.Maps(k.toJava(out.cams()), k.toJava(out.heat()));
    }

    /** Per input, the map row rank {@code r} writes to, or -1 where the input has fewer ranks. */
    private static int[] rowsOfRank(int[] firstMap, int r) {
        int n = firstMap.length - 1;
        int[] outRow = new int[n];
        for (int i = 0; i < n; i++) outRow[i] = firstMap[i + 1] - firstMap[i] > r ? firstMap[i] + r : -1;
        return outRow;
    }
}
