package io.camstream.evaluate;

import io.camstream.Fixtures;
import io.camstream.explain.Explainer;
import io.camstream.explain.GradCam;
import io.camstream.explain.Labels;
import io.camstream.model.ModelConfig;
import io.camstream.model.TorchModel;
import io.camstream.tensor.FloatTensor;
import io.camstream.tensor.Npy;
import org.junit.jupiter.api.Test;

import java.io.PrintStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The evaluation's pieces against identities, and Grad-CAM against a random map on the demo model. */
class FaithfulnessTest {
    @Test
    void trapezoidAreaOfKnownCurves() {
        assertEquals(0.5, ImageScores.auc(new double[]{0, 0.25, 0.5, 0.75, 1}), 1e-12);
        assertEquals(1.0, ImageScores.auc(new double[]{1, 1, 1}), 1e-12);
        assertEquals(0.25, ImageScores.auc(new double[]{0.5, 0}), 1e-12);
    }

    @Test
    void imputedPixelsAreTheWeightedMeanOfTheirNeighbours() {
        int c = 2, h = 17, w = 13, plane = h * w;
        Random r = new Random(3);
        float[] img = new float[c * plane];
        for (int i = 0; i < img.length; i++) img[i] = (float) r.nextGaussian();
        boolean[] removed = new boolean[plane];
        for (int p = 0; p < plane; p++) removed[p] = (p / w > 4 && p / w < 12 && p % w > 2 && p % w < 10) || r.nextDouble() < 0.2;
        float[] out = NoisyLinearImputer.impute(img, c, h, w, removed, 0, new Random(1));
        for (int k = 0; k < c; k++) {
            for (int p = 0; p < plane; p++) {
                if (!removed[p]) {
                    assertEquals(img[k * plane + p], out[k * plane + p], 0f, "known pixels are kept");
                    continue;
                }
                int y = p / w, x = p % w;
                double sum = 0, weight = 0;
                for (int n = 0; n < 8; n++) {
                    int yy = y + NoisyLinearImputer.OFFSETS[n][0], xx = x + NoisyLinearImputer.OFFSETS[n][1];
                    if (yy < 0 || xx < 0 || yy >= h || xx >= w) continue;
                    sum += NoisyLinearImputer.WEIGHTS[n] * out[k * plane + yy * w + xx];
                    weight += NoisyLinearImputer.WEIGHTS[n];
                }
                assertEquals(sum / weight, out[k * plane + p], 1e-4, "pixel " + p + " of channel " + k);
            }
        }
    }

    @Test
    void pixelOrderIsByDecreasingValueWithTiesShuffled() {
        float[] heat = {0.5f, 1f, 0f, 0.5f, 0.5f, 0.9f};
        int[] order = FaithfulnessMetrics.order(heat, new Random(5));
        assertEquals(1, order[0]);
        assertEquals(5, order[1]);
        assertEquals(2, order[5]);
        assertEquals(java.util.Set.of(0, 3, 4), java.util.Set.of(order[2], order[3], order[4]));
    }

    /** On the demo model: Grad-CAM's deletion curve falls faster, and its insertion curve rises faster, than a random map's. */
    @Test
    void gradCamBeatsARandomMapOnDeletionAndInsertion() {
        ModelConfig config = ModelConfig.read(Fixtures.DEMO.resolve("model.json"));
        FloatTensor scenes = Npy.readFloat(Fixtures.SCENES.resolve("inputs.npy"));
        long[] classes = Npy.read(Fixtures.SCENES.resolve("classes.npy")).toLongs();
        int[] single = IntStream.range(0, scenes.dim(0)).filter(i -> classes[2 * i + 1] < 0).limit(20).toArray();
        int s = scenes.stride0();
        float[] data = new float[single.length * s];
        for (int i = 0; i < single.length; i++) System.arraycopy(scenes.data(), single[i] * s, data, i * s, s);
        FloatTensor x = new FloatTensor(data, single.length, 3, scenes.dim(2), scenes.dim(3));
        int[] truth = IntStream.of(single).map(i -> (int) classes[2 * i]).toArray();
        try (TorchModel model = TorchModel.load(config.modelPath())) {
            Evaluator evaluator = new Evaluator(model, m -> new Explainer(model, config.layer(), new GradCam(), Labels.NONE), 10, 10,
                    new double[0], 0, new PrintStream(OutputStream.nullOutputStream()));
            Map<String, MethodResult> r = evaluator.run(List.of("gradcam"), source(x), truth);
            MethodResult grad = r.get("gradcam");
            MethodResult random = r.get(Evaluator.RANDOM);
            assertEquals(single.length, grad.count());
            double gd = grad.mean(ImageScores::deletionAuc), rd = random.mean(ImageScores::deletionAuc);
            double gi = grad.mean(ImageScores::insertionAuc), ri = random.mean(ImageScores::insertionAuc);
            assertTrue(gd < rd, "deletion AUC: gradcam " + gd + " vs random " + rd);
            assertTrue(gi > ri, "insertion AUC: gradcam " + gi + " vs random " + ri);
        }
    }

    private static InputSource source(FloatTensor x) {
        return new InputSource() {
            @Override
            public int count() {
                return x.dim(0);
            }

            @Override
            public String name(int index) {
                return "scene" + index;
            }

            @Override
            public FloatTensor batch(int from, int to) {
                return x.rows(from, to);
            }
        };
    }
}
