package io.camstream.model;

import io.camstream.Fixtures;
import io.camstream.tensor.FloatTensor;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A batch's backward passes, kept (host copies, memoised) or handed out one rank at a time and released (the device
 * path, so that top-k does not hold k ranks of gradients): both give every rank the same gradients.
 */
class CapturedPassGradientsTest {
    private static final String LAYER = "features.4";

    private static List<ScoreWeights> ranks(int n, int classes, int k) {
        List<ScoreWeights> out = new ArrayList<>();
        for (int r = 0; r < k; r++) {
            float[] w = new float[n * classes];
            for (int i = 0; i < n; i++) w[i * classes + (i + r) % classes] = 1f;
            out.add(new ScoreWeights(new FloatTensor(w, n, classes), null));
        }
        return out;
    }

    @Test
    void rankByRankGradientsEqualTheKeptOnesAndAreGoneAfterwards() {
        Random rnd = new Random(11);
        float[] x = new float[2 * 3 * 64 * 64];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        FloatTensor input = new FloatTensor(x, 2, 3, 64, 64);
        try (TorchModel model = TorchModel.load(Fixtures.CORE.resolve("core_net.pt")); PointerScope scope = new PointerScope()) {
            CapturedPass kept = CapturedPass.run(model, List.of(LAYER), LayerCall.LAST, true, input);
            int classes = kept.logits().dim(1);
            List<ScoreWeights> scores = ranks(2, classes, 3);
            List<float[]> expected = new ArrayList<>();
            for (int r = 0; r < scores.size(); r++) expected.add(kept.gradients(scores, 0, r, null).data());

            CapturedPass streamed = CapturedPass.run(model, List.of(LAYER), LayerCall.LAST, true, input);
            List<Integer> seen = new ArrayList<>();
            streamed.forEachRankGradients(scores, (r, grads) -> {
                seen.add(r);
                assertArrayEquals(expected.get(r), Tensors.toJava(grads.get(0)).data(), 1e-6f, "rank " + r);
            });
            assertEquals(List.of(0, 1, 2), seen, "every rank, in order");
            assertThrows(IllegalStateException.class, () -> streamed.gradients(scores, 0, 0, null), "released, not recomputed");

            // a pass whose gradients are kept hands out those same ones
            List<Integer> again = new ArrayList<>();
            kept.forEachRankGradients(scores, (r, grads) -> {
                again.add(r);
                assertArrayEquals(expected.get(r), Tensors.toJava(grads.get(0)).data(), 0f, "kept rank " + r);
            });
            assertEquals(List.of(0, 1, 2), again);
        }
    }
}
