package io.camstream.explain;

import io.camstream.Fixtures;
import io.camstream.model.ModelConfig;
import io.camstream.model.TorchModel;
import io.camstream.tensor.FloatTensor;
import io.camstream.tensor.Npy;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The model-parameter randomisation test (Adebayo et al. 2018): a faithful explanation depends on the weights, so
 * re-initialising the classifier must change the map. Same inputs, same explained classes, before and after.
 */
class RandomisationSanityTest {
    @Test
    void reinitialisingTheClassifierChangesGradCam() {
        ModelConfig config = ModelConfig.read(Fixtures.DEMO.resolve("model.json"));
        FloatTensor scenes = Npy.readFloat(Fixtures.SCENES.resolve("inputs.npy")).rows(0, 12);
        try (TorchModel model = TorchModel.load(config.modelPath())) {
            Explainer gradcam = new Explainer(model, config.layer(), new GradCam(), Labels.NONE);
            ExplanationBatch before = gradcam.explain(scenes, Targets.top1());
            try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
                torch.manual_seed(1234);
                Tensor w = model.submodule("fc").attr("weight").toTensor();
                w.copy_(torch.randn(w.sizes().vec().get()).mul(new org.bytedeco.pytorch.Scalar(0.1)));
                Tensor b = model.submodule("fc").attr("bias").toTensor();
                b.zero_();
            }
            ExplanationBatch after = gradcam.explain(scenes, new Targets.Classes(before.targetClass()));
            int s = before.heatmaps().stride0();
            double meanCorrelation = 0;
            for (int i = 0; i < scenes.dim(0); i++) {
                meanCorrelation += spearman(Arrays.copyOfRange(before.heatmaps().data(), i * s, (i + 1) * s),
                        Arrays.copyOfRange(after.heatmaps().data(), i * s, (i + 1) * s)) / scenes.dim(0);
            }
            assertTrue(meanCorrelation < 0.5, "mean rank correlation before/after randomisation " + meanCorrelation);
        }
    }

    static double spearman(float[] a, float[] b) {
        double[] ra = ranks(a), rb = ranks(b);
        double ma = Arrays.stream(ra).average().orElse(0), mb = Arrays.stream(rb).average().orElse(0);
        double cov = 0, va = 0, vb = 0;
        for (int i = 0; i < a.length; i++) {
            cov += (ra[i] - ma) * (rb[i] - mb);
            va += (ra[i] - ma) * (ra[i] - ma);
            vb += (rb[i] - mb) * (rb[i] - mb);
        }
        return va == 0 || vb == 0 ? 0 : cov / Math.sqrt(va * vb);
    }

    /** Ranks with ties averaged. */
    static double[] ranks(float[] x) {
        Integer[] idx = IntStream.range(0, x.length).boxed().toArray(Integer[]::new);
        Arrays.sort(idx, Comparator.comparingDouble(i -> x[i]));
        double[] r = new double[x.length];
        for (int i = 0; i < x.length; ) {
            int j = i;
            while (j + 1 < x.length && x[idx[j + 1]] == x[idx[i]]) j++;
            double rank = (i + j) / 2.0;
            for (int k = i; k <= j; k++) r[idx[k]] = rank;
            i = j + 1;
        }
        return r;
    }
}
