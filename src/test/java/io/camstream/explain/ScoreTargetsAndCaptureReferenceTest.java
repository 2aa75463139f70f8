package io.camstream.explain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.camstream.CamstreamException;
import io.camstream.Fixtures;
import io.camstream.model.LayerCall;
import io.camstream.model.ModelOutput;
import io.camstream.model.TorchModel;
import io.camstream.tensor.FloatTensor;
import io.camstream.tensor.Npy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Score-function targets (contrast, probability, weighted sets) and the capture rules (each layer's own output even
 * when an in-place op follows it, with one layer or several, with or without gradients; the chosen call of a module
 * called twice) against an independent eager-PyTorch reference with hooks
 * (src/test/resources/fixtures/core/make_core_fixtures.py); and the exact refusal of a layer called inside a block.
 */
class ScoreTargetsAndCaptureReferenceTest {
    private static final double TOLERANCE = 1e-4;
    private static final Map<String, TorchModel> MODELS = new HashMap<>();
    private static TorchModel model;

    @BeforeAll
    static void load() {
        model = TorchModel.load(Fixtures.CORE.resolve("core_net.pt"));
        MODELS.put("core_net.pt", model);
    }

    @AfterAll
    static void close() {
        MODELS.values().forEach(TorchModel::close);
    }

    @TestFactory
    List<DynamicTest> everyCaseMatchesTheReference() throws IOException {
        JsonNode cases = new ObjectMapper().readTree(Fixtures.CORE.resolve("cases.json").toFile());
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases) tests.add(DynamicTest.dynamicTest(c.get("case").asText(), () -> check(c)));
        assertTrue(tests.size() >= 20);
        return tests;
    }

    private static void check(JsonNode c) {
        FloatTensor input = Npy.readFloat(Fixtures.CORE.resolve("input.npy"));
        List<String> layers = new ArrayList<>();
        c.get("layers").forEach(l -> layers.add(l.asText()));
        Methods.Options options = new Methods.Options(16, 8, 8, 0f);
        TorchModel net = MODELS.computeIfAbsent(c.get("model").asText(), f -> TorchModel.load(Fixtures.CORE.resolve(f)));
        net.useOutput(ModelOutput.parse(c.path("output").asText(null)));
        Explainer explainer = new Explainer(net, layers, Methods.byName(c.get("method").asText(), options), Labels.NONE)
                .atCall(LayerCall.parse(c.get("call").asText()));
        if (c.has("reshape")) explainer.reshapeTokens(TokenGrid.parse(c.get("reshape").asText()));
        Targets targets = Targets.parse(c.get("target").asText(), Target.Score.parse(c.get("score").asText()));
        ExplanationBatch got = explainer.explain(input, targets);
        FloatTensor cams = Npy.readFloat(Fixtures.CORE.resolve(c.get("cams").asText()));
        FloatTensor heatmaps = Npy.readFloat(Fixtures.CORE.resolve(c.get("heatmaps").asText()));
        assertArrayEquals(cams.shape(), got.cams().shape(), "cams shape");
        assertArrayEquals(heatmaps.shape(), got.heatmaps().shape(), "heatmaps shape");
        for (int m = 0; m < cams.dim(0); m++) {
            double camErr = Fixtures.relativeError(got.cams(), cams, m);
            double heatErr = Fixtures.relativeError(got.heatmaps(), heatmaps, m);
            if (c.get("method").asText().startsWith("eigen")) {
                // a principal component's sign is the SVD's (LAPACK's) choice: the flipped map counts too (before ReLU)
                ExplanationBatch flipped = explainer.keepSignedMaps().explain(input, targets);
                FloatTensor rawRef = Npy.readFloat(Fixtures.CORE.resolve(c.get("raw").asText()));
                camErr = Math.min(Fixtures.relativeError(flipped.cams(), rawRef, m), Fixtures.relativeError(negate(flipped.cams()), rawRef, m));
                heatErr = camErr;
            }
            assertTrue(camErr < TOLERANCE, "cam " + m + " relative error " + camErr);
            assertTrue(heatErr < TOLERANCE, "heatmap " + m + " relative error " + heatErr);
            assertEquals(c.get("target").asText(), got.targets()[m].describe().replace("p:", ""), "target of map " + m);
        }
    }

    @Test
    void outputsAreChosenByNameOrIndexAndBadChoicesAreRefused() {
        try (TorchModel heads = TorchModel.load(Fixtures.CORE.resolve("two_head_net.pt"))) {
            assertEquals(List.of("logits", "aux"), heads.outputFields());
            FloatTensor input = Npy.readFloat(Fixtures.CORE.resolve("input.npy"));
            Explainer e = new Explainer(heads, "features.2", new GradCam(), Labels.NONE);
            assertEquals(CLASSES, e.explain(input, Targets.top1()).logits().dim(1));
            heads.useOutput(ModelOutput.parse("aux"));
            assertEquals(3, e.explain(input, Targets.top1()).logits().dim(1));
            for (String bad : new String[]{"2", "nope"}) {
                heads.useOutput(ModelOutput.parse(bad));
                io.camstream.InvalidInputException ex = assertThrows(io.camstream.InvalidInputException.class, () -> e.explain(input, Targets.top1()));
                assertTrue(ex.getMessage().contains("--model-output " + bad) && ex.getMessage().contains("logits, aux"), ex.getMessage());
            }
        }
    }

    private static final int CLASSES = 5;

    @Test
    void tokenLayersNeedAReshapeThatFitsTheirTokens() {
        FloatTensor input = Npy.readFloat(Fixtures.CORE.resolve("input.npy"));
        try (TorchModel vit = TorchModel.load(Fixtures.CORE.resolve("tiny_vit.pt"))) {
            NonSpatialLayerException none = assertThrows(NonSpatialLayerException.class,
                    () -> new Explainer(vit, "blocks.1.norm1", new GradCam(), Labels.NONE).explain(input, Targets.top1()));
            assertTrue(none.getMessage().contains("--reshape tokens"), none.getMessage());
            NonSpatialLayerException wrong = assertThrows(NonSpatialLayerException.class,
                    () -> new Explainer(vit, "blocks.1.norm1", new GradCam(), Labels.NONE).reshapeTokens(TokenGrid.parse("3x3")).explain(input, Targets.top1()));
            assertTrue(wrong.getMessage().contains("17 tokens") && wrong.getMessage().contains("3x3"), wrong.getMessage());
        }
    }

    private static FloatTensor negate(FloatTensor t) {
        float[] d = t.data().clone();
        for (int i = 0; i < d.length; i++) d[i] = -d[i];
        return new FloatTensor(d, t.shape());
    }

    @Test
    void theReferenceCallsDiffer() {
        // the fixture can tell the calls apart: the first and last call's maps are not the same
        FloatTensor first = Npy.readFloat(Fixtures.CORE.resolve("gradcam_shared_call_first_cams.npy"));
        FloatTensor last = Npy.readFloat(Fixtures.CORE.resolve("gradcam_shared_call_last_cams.npy"));
        assertTrue(Fixtures.relativeError(first, last, 0) > 0.05);
    }

    @Test
    void aCallNumberBeyondTheCallsIsRefusedExactly() {
        FloatTensor input = Npy.readFloat(Fixtures.CORE.resolve("input.npy"));
        Explainer e = new Explainer(model, List.of("shared"), new GradCam(), Labels.NONE).atCall(new LayerCall(3));
        CamstreamException ex = assertThrows(CamstreamException.class, () -> e.explain(input, Targets.top1()));
        assertTrue(ex.getMessage().contains("called 2 time(s)") && ex.getMessage().contains("--call 3"), ex.getMessage());
    }

    @Test
    void aLayerWithATupleOutputIsRefusedAsHavingNoMap() {
        FloatTensor input = new FloatTensor(new float[3 * 8 * 8], 1, 3, 8, 8);
        try (TorchModel m = TorchModel.load(Fixtures.CORE.resolve("pair_net.pt"))) {
            for (ExplanationMethod method : new ExplanationMethod[]{new GradCam(), new ActivationMap()}) {
                NonSpatialLayerException e = assertThrows(NonSpatialLayerException.class,
                        () -> new Explainer(m, "pair", method, Labels.NONE).explain(input, Targets.top1()));
                assertTrue(e.getMessage().contains("'pair'") && e.getMessage().contains("non-tensor"), e.getMessage());
            }
        }
    }

    @Test
    void aLayerCalledOnlyInsideAnIfOrALoopIsRefusedWithTheReason() {
        FloatTensor input = new FloatTensor(new float[3 * 8 * 8], 1, 3, 8, 8);
        for (String[] c : new String[][]{{"if_net.pt", "prim::If"}, {"loop_net.pt", "prim::Loop"}}) {
            try (TorchModel m = TorchModel.load(Fixtures.CORE.resolve(c[0]))) {
                Explainer e = new Explainer(m, "body", new GradCam(), Labels.NONE);
                CamstreamException ex = assertThrows(CamstreamException.class, () -> e.explain(input, Targets.top1()));
                assertTrue(ex.getMessage().contains("'body'") && ex.getMessage().contains(c[1]) && ex.getMessage().contains("torch.jit.trace"), ex.getMessage());
                // the layer before the block still works
                assertEquals(1, new Explainer(m, "stem", new GradCam(), Labels.NONE).explain(input, Targets.top1()).size());
            }
        }
    }
}
