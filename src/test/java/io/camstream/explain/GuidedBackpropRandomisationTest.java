package io.camstream.explain;

import io.camstream.Fixtures;
import io.camstream.model.ModelConfig;
import io.camstream.model.TorchModel;
import io.camstream.tensor.FloatTensor;
import io.camstream.tensor.Npy;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The model-parameter randomisation test (Adebayo et al. 2018) for guided backpropagation beside Grad-CAM: after
 * re-initialising the classifier, Grad-CAM's maps change (they pass the test), while guided backprop's stay much
 * the same - the paper's finding that guided backprop behaves like an edge detector that barely depends on the
 * top layers. Asserted: Grad-CAM decorrelates, and guided backprop stays more correlated than Grad-CAM does.
 */
class GuidedBackpropRandomisationTest {
    @Test
    void guidedBackpropSurvivesClassifierRandomisationWhereGradCamDoesNot() {
        ModelConfig config = ModelConfig.read(Fixtures.DEMO.resolve("model.json"));
        FloatTensor scenes = Npy.readFloat(Fixtures.SCENES.resolve("inputs.npy")).rows(0, 8);
        try (TorchModel model = TorchModel.load(config.modelPath())) {
            Explainer gradcam = new Explainer(model, config.layer(), new GradCam(), Labels.NONE);
            Explainer guided = new Explainer(model, List.of(), new GuidedBackprop(), Labels.NONE);
            ExplanationBatch gcBefore = gradcam.explain(scenes, Targets.top1());
            Targets same = new Targets.Classes(gcBefore.targetClass());
            ExplanationBatch gbBefore = guided.explain(scenes, same);
            try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
                torch.manual_seed(1234);
                Tensor w = model.submodule("fc").attr("weight").toTensor();
                w.copy_(torch.randn(w.sizes().vec().get()).mul(new Scalar(0.1)));
                model.submodule("fc").attr("bias").toTensor().zero_();
            }
            double gc = meanRankCorrelation(gcBefore, gradcam.explain(scenes, same));
            double gb = meanRankCorrelation(gbBefore, guided.explain(scenes, same));
            System.out.printf("rank correlation before/after randomising fc: gradcam %.3f, guided-backprop %.3f%n", gc, gb);
            assertTrue(gc < 0.5, "Grad-CAM should change: mean rank correlation " + gc);
            assertTrue(gb > gc, "guided backprop " + gb + " vs Grad-CAM " + gc);
        }
    }

    private static double meanRankCorrelation(ExplanationBatch a, ExplanationBatch b) {
        int s = a.heatmaps().stride0();
        double sum = 0;
        for (int i = 0; i < a.size(); i++) {
            sum += RandomisationSanityTest.spearman(Arrays.copyOfRange(a.heatmaps().data(), i * s, (i + 1) * s),
                    Arrays.copyOfRange(b.heatmaps().data(), i * s, (i + 1) * s));
        }
        return sum / a.size();
    }
}
