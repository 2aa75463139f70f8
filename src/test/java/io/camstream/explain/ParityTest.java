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
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Java against an independent reference: the fixtures script computes cams and heatmaps in eager PyTorch with
 * forward hooks and autograd on the original nn.Module (src/test/resources/fixtures/parity/make_parity_fixtures.py),
 * for several architectures, a traced model, nested layer paths and a skip connection around the target.
 */
class ParityTest {
    private static final double TOLERANCE = 1e-4;
    private static final Map<String, TorchModel> MODELS = new HashMap<>();

    @AfterAll
    static void close() {
        MODELS.values().forEach(TorchModel::close);
    }

    @TestFactory
    List<DynamicTest> everyCaseMatchesTheReference() throws IOException {
        JsonNode cases = new ObjectMapper().readTree(Fixtures.PARITY.resolve("cases.json").toFile());
        assertTrue(cases.size() >= 6, "expected a non-trivial set of parity cases");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases) {
            tests.add(DynamicTest.dynamicTest(c.get("case").asText(), () -> check(c)));
        }
        return tests;
    }

    private static void check(JsonNode c) {
        Path dir = Fixtures.PARITY;
        TorchModel model = MODELS.computeIfAbsent(c.get("model").asText(), f -> TorchModel.load(dir.resolve(f)));
        FloatTensor input = Npy.readFloat(dir.resolve(c.get("input").asText()));
        JsonNode t = c.get("targets");
        Targets targets = t.has("topk") ? new Targets.TopK(t.get("topk").asInt())
                : new Targets.Classes(toInts(t.get("classes")));
        Explainer explainer = new Explainer(model, c.get("layer").asText(), Methods.byName(c.get("method").asText()), Labels.NONE);
        ExplanationBatch got = explainer.explain(input, targets);

        FloatTensor logits = Npy.readFloat(dir.resolve(c.get("logits").asText()));
        for (int i = 0; i < logits.dim(0); i++) {
            assertTrue(Fixtures.relativeError(got.logits(), logits, i) < TOLERANCE, "logits of input " + i);
        }
        long[] expectedTargets = Npy.read(dir.resolve(c.get("expected_targets").asText())).toLongs();
        assertArrayEquals(Arrays.stream(expectedTargets).mapToInt(x -> (int) x).toArray(), got.targetClass(), "explained classes");

        FloatTensor cams = Npy.readFloat(dir.resolve(c.get("cams").asText()));
        FloatTensor heatmaps = Npy.readFloat(dir.resolve(c.get("heatmaps").asText()));
        assertArrayEquals(cams.shape(), got.cams().shape(), "cams shape");
        assertArrayEquals(heatmaps.shape(), got.heatmaps().shape(), "heatmaps shape");
        for (int m = 0; m < cams.dim(0); m++) {
            double camErr = Fixtures.relativeError(got.cams(), cams, m);
            double heatErr = Fixtures.relativeError(got.heatmaps(), heatmaps, m);
            assertTrue(camErr < TOLERANCE, "cam " + m + " relative error " + camErr);
            assertTrue(heatErr < TOLERANCE, "heatmap " + m + " relative error " + heatErr);
        }
        assertEquals(cams.dim(0), got.size());
    }

    private static int[] toInts(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }
}
