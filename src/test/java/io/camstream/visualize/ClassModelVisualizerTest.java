package io.camstream.visualize;

import io.camstream.Fixtures;
import io.camstream.image.Preprocessing;
import io.camstream.model.ModelConfig;
import io.camstream.model.TorchModel;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Gradient ascent on the demo model produces, for every class, an input the model scores highest for that class.
 * Only meaningful for a trained model: skipped (with the reason) when the demo model classifies fewer than 80% of the
 * single-object test scenes correctly, as an untrained, chance-level model has classes no input can make it prefer.
 */
class ClassModelVisualizerTest {
    @Test
    void theTargetLogitRisesAboveTheNoiseAndAboveEveryOtherClass() {
        ModelConfig config = ModelConfig.read(Fixtures.DEMO.resolve("model.json"));
        Preprocessing prep = new Preprocessing(config.inputSize(), config.inputSize(), false, config.mean(), config.std());
        ClassModelVisualizer.Settings d = ClassModelVisualizer.Settings.DEFAULTS;
        ClassModelVisualizer.Settings settings = new ClassModelVisualizer.Settings(60, d.learningRate(), d.l2Decay(), d.blurEvery(), d.blurSigma(),
                d.jitter(), 7, d.objective());
        try (TorchModel model = TorchModel.load(config.modelPath())) {
            double accuracy = sceneAccuracy(model);
            assumeTrue(accuracy >= 0.8, "demo model accuracy on the scenes fixture is " + accuracy + ": not a trained model");
            int classes = new ClassModelVisualizer(model, prep, settings).run(0, null).finalLogits().length;
            for (int target = 0; target < classes; target++) {
                ClassModelVisualizer.Result r = new ClassModelVisualizer(model, prep, settings).run(target, null);
                float[] end = r.finalLogits();
                assertTrue(end[target] > r.startLogits()[target], "class " + target + ": " + r.startLogits()[target] + " -> " + end[target]);
                for (int c = 0; c < classes; c++) {
                    if (c != target) assertTrue(end[target] > end[c], "class " + target + " logit " + end[target] + " vs class " + c + " " + end[c]);
                }
            }
        }
    }

    private static double sceneAccuracy(TorchModel model) {
        io.camstream.tensor.FloatTensor x = io.camstream.tensor.Npy.readFloat(Fixtures.SCENES.resolve("inputs.npy"));
        long[] classes = io.camstream.tensor.Npy.read(Fixtures.SCENES.resolve("classes.npy")).toLongs();
        io.camstream.tensor.FloatTensor logits;
        try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
            logits = io.camstream.model.Tensors.toJava(model.forward(io.camstream.model.Tensors.toTorch(x)));
        }
        int k = logits.dim(1), right = 0, single = 0;
        for (int i = 0; i < x.dim(0); i++) {
            if (classes[2 * i + 1] >= 0) continue;
            single++;
            if (io.camstream.explain.Ranking.topK(logits.data(), i * k, k, 1)[0] == classes[2 * i]) right++;
        }
        return (double) right / single;
    }
}
