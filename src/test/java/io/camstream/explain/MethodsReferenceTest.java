package io.camstream.explain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.camstream.Fixtures;
import io.camstream.model.TorchModel;
import io.camstream.tensor.FloatTensor;
import io.camstream.tensor.Npy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every method and option against an independent reference: eager PyTorch on the original nn.Modules with hooks,
 * numpy for the SVD (principal components compared up to their sign, which is LAPACK's choice), a TorchFunctionMode for guided ReLUs, a plain loop for occlusion, following pytorch-grad-cam's
 * definitions (src/test/resources/fixtures/methods/make_methods_fixtures.py). Two small nets: a GAP + linear head and
 * a spatial head with functional in-place ReLU, both with a residual block whose in-place ReLU module runs twice.
 */
class MethodsReferenceTest {
    private static final double TOLERANCE = 1e-4;
    private static final Map<String, TorchModel> MODELS = new HashMap<>();

    @AfterAll
    static void close() {
        MODELS.values().forEach(TorchModel::close);
    }

    @TestFactory
    List<DynamicTest> everyMethodMatchesTheReference() throws IOException {
        JsonNode cases = new ObjectMapper().readTree(Fixtures.METHODS.resolve("cases.json").toFile());
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases) tests.add(DynamicTest.dynamicTest(c.get("case").asText(), () -> check(c)));
        assertTrue(tests.size() >= 25);
        return tests;
    }

    private static void check(JsonNode c) {
        Path dir = Fixtures.METHODS;
        TorchModel model = MODELS.computeIfAbsent(c.get("model").asText(), f -> TorchModel.load(dir.resolve(f)));
        FloatTensor input = Npy.readFloat(dir.resolve("input.npy"));
        JsonNode t = c.get("targets");
        Targets targets = t.has("topk") ? new Targets.TopK(t.get("topk").asInt()) : new Targets.Classes(ints(t.get("classes")));
        JsonNode o = c.get("options");
        Methods.Options options = new Methods.Options(16, o.path("patch").asInt(Occlusion.DEFAULT_PATCH), o.path("stride").asInt(Occlusion.DEFAULT_STRIDE),
                (float) o.path("baseline").asDouble(0));
        List<String> layers = new ArrayList<>();
        c.get("layers").forEach(l -> layers.add(l.asText()));
        Explainer explainer = new Explainer(model, layers, Methods.byName(c.get("method").asText(), options), Labels.NONE);
        if (o.path("eigen_smooth").asBoolean(false)) explainer.smoothByEigenProjection();
        if (o.path("aug_smooth").asBoolean(false)) explainer.smoothOverAugmentations();
        if (!o.path("relu").asBoolean(true)) explainer.keepSignedMaps();
        if (o.has("fuse")) explainer.fuse(Fusion.parse(o.get("fuse").asText()));

        ExplanationBatch got = explainer.explain(input, targets);
        assertArrayEquals(ints(c.get("expected_targets")), got.targetClass(), "explained classes");
        FloatTensor cams = Npy.readFloat(dir.resolve(c.get("cams").asText()));
        FloatTensor heatmaps = Npy.readFloat(dir.resolve(c.get("heatmaps").asText()));
        assertArrayEquals(cams.shape(), got.cams().shape(), "cams shape");
        assertArrayEquals(heatmaps.shape(), got.heatmaps().shape(), "heatmaps shape");
        boolean signFree = o.path("sign_free").asBoolean(false);
        for (int m = 0; m < cams.dim(0); m++) {
            double camErr = Fixtures.relativeError(got.cams(), cams, m);
            double heatErr = Fixtures.relativeError(got.heatmaps(), heatmaps, m);
            if (signFree) {
                // a principal component's sign is the SVD's (LAPACK's) choice: the flipped map, and 1 - heatmap, count too
                camErr = Math.min(camErr, Fixtures.relativeError(negate(got.cams()), cams, m));
                heatErr = Math.min(heatErr, Fixtures.relativeError(oneMinus(got.heatmaps()), heatmaps, m));
            }
            assertTrue(camErr < TOLERANCE, "cam " + m + " relative error " + camErr);
            assertTrue(heatErr < TOLERANCE, "heatmap " + m + " relative error " + heatErr);
        }
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }

    private static FloatTensor negate(FloatTensor t) {
        float[] d = t.data().clone();
        for (int i = 0; i < d.length; i++) d[i] = -d[i];
        return new FloatTensor(d, t.shape());
    }

    private static FloatTensor oneMinus(FloatTensor t) {
        float[] d = t.data().clone();
        for (int i = 0; i < d.length; i++) d[i] = 1f - d[i];
        return new FloatTensor(d, t.shape());
    }
}
