package io.camstream.explain;

import io.camstream.Fixtures;
import io.camstream.model.LayerCapture;
import io.camstream.model.Tensors;
import io.camstream.model.TorchModel;
import io.camstream.postprocess.CamPostprocessor;
import io.camstream.tensor.FloatTensor;
import io.camstream.tensor.Npy;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * For a layer followed only by global average pooling and a linear layer, d logit_c / d A_k(i,j) = W[c,k] / (h*w).
 * So Grad-CAM is exactly CAM (Zhou et al. 2016) divided by h*w, equal after normalisation, and Grad-CAM++ has a
 * closed form in W and the activations. Checked here against the model's own fc weights.
 */
class GapLinearIdentityTest {
    private static final String LAYER = "layer3";
    private static final int TARGET = 2;
    private static TorchModel model;
    private static FloatTensor input;
    private static FloatTensor act;
    private static FloatTensor fcWeight;

    @BeforeAll
    static void load() {
        model = TorchModel.load(Fixtures.PARITY.resolve("tiny_resnet.pt"));
        input = Npy.readFloat(Fixtures.PARITY.resolve("tiny_resnet_input.npy"));
        try (PointerScope scope = new PointerScope()) {
            LayerCapture.Result r = model.capture(List.of(LAYER), false).run(Tensors.toTorch(input));
            act = Tensors.toJava(r.activations().get(0));
            fcWeight = Tensors.toJava(model.submodule("fc").attr("weight").toTensor());
        }
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void gradCamIsClassActivationMappingScaledByArea() {
        ExplanationBatch got = new Explainer(model, LAYER, new GradCam(), Labels.NONE).explain(input, new Targets.Classes(new int[]{TARGET}));
        int n = act.dim(0), c = act.dim(1), h = act.dim(2), w = act.dim(3);
        float[] cam = new float[n * h * w];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < c; k++) {
                float wk = fcWeight.data()[TARGET * c + k];
                for (int p = 0; p < h * w; p++) cam[i * h * w + p] += wk * act.data()[(i * c + k) * h * w + p];
            }
        }
        float[] scaled = new float[cam.length];
        for (int p = 0; p < cam.length; p++) scaled[p] = Math.max(0f, cam[p]) / (h * w);
        FloatTensor expectedCams = new FloatTensor(scaled, n, h, w);
        CamPostprocessor.Maps expected = CamPostprocessor.cpu().process(new FloatTensor(cam, n, h, w), input.dim(2), input.dim(3), true);
        for (int i = 0; i < n; i++) {
            assertTrue(Fixtures.relativeError(got.cams(), expectedCams, i) < 1e-4, "cam " + i);
            assertTrue(Fixtures.relativeError(got.heatmaps(), expected.heatmaps(), i) < 1e-4, "heatmap " + i + " equals normalised CAM");
        }
    }

    @Test
    void gradCamPlusPlusHasItsClosedForm() {
        ExplanationBatch got = new Explainer(model, LAYER, new GradCamPlusPlus(), Labels.NONE).explain(input, new Targets.Classes(new int[]{TARGET}));
        int n = act.dim(0), c = act.dim(1), h = act.dim(2), w = act.dim(3), hw = h * w;
        float[] cam = new float[n * hw];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < c; k++) {
                double g = fcWeight.data()[TARGET * c + k] / (double) hw;
                double sumA = 0;
                for (int p = 0; p < hw; p++) sumA += act.data()[(i * c + k) * hw + p];
                double weight = g > 0 ? hw * g * (g * g) / (2 * g * g + sumA * g * g * g + 1e-6) : 0;
                for (int p = 0; p < hw; p++) cam[i * hw + p] += (float) (weight * act.data()[(i * c + k) * hw + p]);
            }
            for (int p = 0; p < hw; p++) cam[i * hw + p] = Math.max(0f, cam[i * hw + p]);
        }
        FloatTensor expected = new FloatTensor(cam, n, h, w);
        for (int i = 0; i < n; i++) {
            assertTrue(Fixtures.relativeError(got.cams(), expected, i) < 1e-4, "cam " + i + " error " + Fixtures.relativeError(got.cams(), expected, i));
        }
    }
}
