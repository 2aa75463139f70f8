package io.camstream.explain;

import io.camstream.Fixtures;
import io.camstream.model.ModelConfig;
import io.camstream.model.TorchModel;
import io.camstream.tensor.FloatTensor;
import io.camstream.tensor.Npy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Does Grad-CAM on the demo model look where the objects are? Generated scenes with exact object masks
 * (src/test/resources/fixtures/scenes, made by demo/make_demo.py with a seed separate from training).
 */
class DemoQualityTest {
    private static TorchModel model;
    private static Explainer gradcam;
    private static FloatTensor inputs;
    private static FloatTensor masks;
    private static long[] classes;
    private static int n;
    private static int size;

    @BeforeAll
    static void load() {
        ModelConfig config = ModelConfig.read(Fixtures.DEMO.resolve("model.json"));
        model = TorchModel.load(config.modelPath());
        gradcam = new Explainer(model, config.layer(), new GradCam(), Labels.NONE);
        inputs = Npy.readFloat(Fixtures.SCENES.resolve("inputs.npy"));
        masks = Npy.readFloat(Fixtures.SCENES.resolve("masks.npy"));
        classes = Npy.read(Fixtures.SCENES.resolve("classes.npy")).toLongs();
        n = inputs.dim(0);
        size = inputs.dim(2);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static float[] mask(int scene, int cls) {
        int s = size * size;
        float[] m = new float[s];
        System.arraycopy(masks.data(), (scene * masks.dim(1) + cls) * s, m, 0, s);
        return m;
    }

    private static FloatTensor heatmaps(int[] sceneIdx, int[] target) {
        int s = inputs.stride0();
        float[] batch = new float[sceneIdx.length * s];
        for (int i = 0; i < sceneIdx.length; i++) System.arraycopy(inputs.data(), sceneIdx[i] * s, batch, i * s, s);
        return gradcam.explain(new FloatTensor(batch, sceneIdx.length, 3, size, size), new Targets.Classes(target)).heatmaps();
    }

    private static int[] singleObjectScenes() {
        return java.util.stream.IntStream.range(0, n).filter(i -> classes[2 * i + 1] < 0).toArray();
    }

    @Test
    void pointingGameBeatsCentreAndRandomBaselines() {
        int[] scenes = singleObjectScenes();
        int[] targets = java.util.Arrays.stream(scenes).map(i -> (int) classes[2 * i]).toArray();
        FloatTensor h = heatmaps(scenes, targets);
        int hits = 0, centreHits = 0;
        double randomHitRate = 0;
        int s = size * size;
        for (int k = 0; k < scenes.length; k++) {
            float[] m = mask(scenes[k], targets[k]);
            int argmax = 0;
            for (int p = 0; p < s; p++) if (h.data()[k * s + p] > h.data()[k * s + argmax]) argmax = p;
            if (m[argmax] > 0.5f) hits++;
            if (m[(size / 2) * size + size / 2] > 0.5f) centreHits++;
            randomHitRate += area(m) / scenes.length; // a uniformly random point hits with the mask's area fraction
        }
        double hitRate = (double) hits / scenes.length;
        double centreRate = (double) centreHits / scenes.length;
        // strict pointing game: the maximum must fall inside the exact object mask (no pixel tolerance)
        assertTrue(hitRate > 2 * Math.max(centreRate, randomHitRate) && hitRate >= 0.5,
                "pointing game " + hitRate + " vs centre " + centreRate + " vs random " + randomHitRate);
    }

    @Test
    void heatmapEnergyConcentratesInsideTheObject() {
        int[] scenes = singleObjectScenes();
        int[] targets = java.util.Arrays.stream(scenes).map(i -> (int) classes[2 * i]).toArray();
        FloatTensor h = heatmaps(scenes, targets);
        double inside = 0, areaFraction = 0;
        for (int k = 0; k < scenes.length; k++) {
            inside += energyIn(h, k, mask(scenes[k], targets[k])) / scenes.length;
            areaFraction += area(mask(scenes[k], targets[k])) / scenes.length;
        }
        assertTrue(inside > 2 * areaFraction, "energy inside the mask " + inside + " vs its area fraction " + areaFraction);
    }

    @Test
    void twoObjectScenesLandOnTheRightObjectPerClass() {
        int[] scenes = java.util.stream.IntStream.range(0, n).filter(i -> classes[2 * i + 1] >= 0).toArray();
        assertTrue(scenes.length >= 10, "fixture has two-object scenes");
        int[] both = new int[scenes.length * 2];
        int[] targets = new int[scenes.length * 2];
        for (int k = 0; k < scenes.length; k++) {
            both[2 * k] = scenes[k];
            both[2 * k + 1] = scenes[k];
            targets[2 * k] = (int) classes[2 * scenes[k]];
            targets[2 * k + 1] = (int) classes[2 * scenes[k] + 1];
        }
        FloatTensor h = heatmaps(both, targets);
        int right = 0;
        for (int k = 0; k < both.length; k++) {
            int other = targets[k ^ 1];
            if (energyIn(h, k, mask(both[k], targets[k])) > energyIn(h, k, mask(both[k], other))) right++;
        }
        double rate = (double) right / both.length;
        assertTrue(rate >= 0.85, "maps on their own object in " + right + " of " + both.length + " class/scene pairs");
    }

    private static double energyIn(FloatTensor h, int k, float[] mask) {
        int s = size * size;
        double in = 0, all = 0;
        for (int p = 0; p < s; p++) {
            float v = h.data()[k * s + p];
            all += v;
            if (mask[p] > 0.5f) in += v;
        }
        return all > 0 ? in / all : 0;
    }

    private static double area(float[] mask) {
        int c = 0;
        for (float v : mask) if (v > 0.5f) c++;
        return (double) c / mask.length;
    }
}
