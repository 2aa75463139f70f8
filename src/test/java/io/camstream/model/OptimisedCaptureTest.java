package io.camstream.model;

import io.camstream.Fixtures;
import io.camstream.tensor.FloatTensor;
import io.camstream.tensor.Npy;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The trunk/head split against the whole capture graph it came from (the reference: today's path). */
class OptimisedCaptureTest {
    private static TorchModel optimised;
    private static TorchModel whole;
    private static FloatTensor input;

    @BeforeAll
    static void load() {
        optimised = TorchModel.load(Fixtures.PARITY.resolve("tiny_resnet.pt"));
        whole = TorchModel.load(Fixtures.PARITY.resolve("tiny_resnet.pt"), ExecutionDevice.cpu(), false);
        input = Npy.readFloat(Fixtures.PARITY.resolve("tiny_resnet_input.npy"));
    }

    @AfterAll
    static void close() {
        optimised.close();
        whole.close();
    }

    @Test
    void theTrunkOfAConvBnModelIsFoldedAndTheSplitIsUsed() {
        OptimisedCapture c = assertInstanceOf(OptimisedCapture.class, optimised.capture(List.of("layer3"), true));
        assertTrue(c.optimised(), () -> "fell back: " + c.fallbackReason());
        String trunk = c.trunkGraph();
        assertNotNull(trunk);
        assertTrue(trunk.contains("conv"), trunk);
        assertFalse(trunk.contains("aten::batch_norm"), "batch-norm left in the trunk:\n" + trunk);
        assertInstanceOf(LayerCapture.class, whole.capture(List.of("layer3"), true), "--no-optimize keeps today's capture");
        // the trunk became the forward of a clone: the model's own forward is still the whole model
        try (PointerScope scope = new PointerScope()) {
            Tensor x = Tensors.toTorch(input);
            assertClose(whole.forward(x), optimised.forward(x), "the model's own forward after the split");
            assertClose(whole.forward(x), optimised.inferenceForward(x), "the optimised whole forward");
        }
    }

    /**
     * A forward that writes module state before the layer ({@code self.calls += 1}): a frozen trunk would count in its
     * own copy, so the split must not be used, and the user is told once.
     */
    @Test
    void aTrunkThatWritesModuleStateFallsBackAndSaysSo() {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        try (TorchModel stateful = TorchModel.load(Fixtures.ROOT.resolve("optimise/stateful.pt"));
             TorchModel reference = TorchModel.load(Fixtures.ROOT.resolve("optimise/stateful.pt"), ExecutionDevice.cpu(), false)) {
            System.setErr(new java.io.PrintStream(err, true));
            OptimisedCapture c = assertInstanceOf(OptimisedCapture.class, stateful.capture(List.of("conv2"), true));
            System.setErr(saved);
            assertFalse(c.optimised());
            assertTrue(c.fallbackReason().contains("write module state"), c.fallbackReason());
            String log = err.toString();
            assertEquals(1, log.lines().filter(l -> l.contains("inference-optimised trunk not used")).count(), log);
            assertTrue(log.contains("conv2") && log.contains("write module state"), log);
            try (PointerScope scope = new PointerScope()) {
                Tensor x = torch.randn(2, 3, 8, 8);
                LayerCapture.Result got = c.run(x);
                LayerCapture.Result want = reference.capture(List.of("conv2"), true).run(x);
                assertClose(want.output(), got.output(), "logits");
                assertClose(want.activations().get(0), got.activations().get(0), "conv2");
            }
        } finally {
            System.setErr(saved);
        }
    }

    /** The parity suite (which runs with the optimisation on) really exercises the split: no case falls back. */
    @Test
    void everyParityCaseUsesTheSplit() throws java.io.IOException {
        var cases = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Fixtures.PARITY.resolve("cases.json").toFile());
        java.util.Map<String, TorchModel> models = new java.util.HashMap<>();
        try {
            for (var c : cases) {
                TorchModel m = models.computeIfAbsent(c.get("model").asText(), f -> TorchModel.load(Fixtures.PARITY.resolve(f)));
                FloatTensor x = Npy.readFloat(Fixtures.PARITY.resolve(c.get("input").asText()));
                List<String> layers = List.of(c.get("layer").asText().split(","));
                OptimisedCapture capture = assertInstanceOf(OptimisedCapture.class, m.capture(layers, true));
                try (PointerScope scope = new PointerScope()) {
                    capture.run(Tensors.toTorch(x));
                }
                assertTrue(capture.optimised(), () -> c.get("case").asText() + " fell back: " + capture.fallbackReason());
            }
        } finally {
            models.values().forEach(TorchModel::close);
        }
    }

    /**
     * Target layer2.1.conv2: the block's input (the skip connection) is read after the target by {@code out + identity},
     * so it must cross from the trunk into the head; the gradient at the target must not change.
     */
    @Test
    void aSkipConnectionCrossingTheTargetKeepsTheGradient() {
        assertSameForwardAndGradient(List.of("layer2.1.conv2"));
    }

    @Test
    void twoLayersGetTheGradientsOfTheWholeCapture() {
        assertSameForwardAndGradient(List.of("layer2", "layer3"));
    }

    private static void assertSameForwardAndGradient(List<String> layers) {
        OptimisedCapture c = assertInstanceOf(OptimisedCapture.class, optimised.capture(layers, true));
        ActivationCapture reference = whole.capture(layers, true);
        for (int round = 0; round < 2; round++) { // the second run is past the one-time parity check
            try (PointerScope scope = new PointerScope()) {
                Tensor x = Tensors.toTorch(input);
                LayerCapture.Result got = c.run(x);
                LayerCapture.Result want = reference.run(x);
                assertTrue(c.optimised(), () -> "fell back: " + c.fallbackReason());
                assertClose(want.output(), got.output(), "logits");
                for (int l = 0; l < layers.size(); l++) {
                    assertClose(want.activations().get(l), got.activations().get(l), layers.get(l));
                    Tensor g = gradient(got, l);
                    Tensor w = gradient(want, l);
                    assertClose(w, g, "gradient at " + layers.get(l));
                    assertTrue(w.abs().max().item_float() > 0, "a gradient that is not all zeros");
                }
            }
        }
    }

    /** d(sum of logit[i, 3]) / d(layer l's activations). */
    private static Tensor gradient(LayerCapture.Result r, int l) {
        Tensor score = r.output().select(1, 3).sum();
        return torch.grad(new TensorVector(score), new TensorVector(r.activations().get(l)), new TensorVector(),
                new BoolOptional(true), false, false).get(0);
    }

    private static void assertClose(Tensor expected, Tensor actual, String what) {
        FloatTensor e = Tensors.toJava(expected);
        FloatTensor a = Tensors.toJava(actual);
        assertEquals(List.of(e.shape().length), List.of(a.shape().length), what + " rank");
        double err = ParityCheck.relativeError(a.data(), e.data());
        assertTrue(err < 1e-4, what + ": relative error " + err);
    }
}
