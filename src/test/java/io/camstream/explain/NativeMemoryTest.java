package io.camstream.explain;

import io.camstream.Fixtures;
import io.camstream.model.ModelConfig;
import io.camstream.model.TorchModel;
import io.camstream.tensor.FloatTensor;
import io.camstream.tensor.Npy;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Native memory stays flat over hundreds of explain calls: every tensor a call makes is freed by its scope.
 * The resident set grows during warm-up (the TorchScript executor profiles and optimises the graph, the Java heap
 * expands) and then must stop growing: a leak of just the input copy would add ~0.4 MB a call, 80 MB a block here.
 */
class NativeMemoryTest {
    @Test
    void explainCallsDoNotLeak() {
        ModelConfig config = ModelConfig.read(Fixtures.DEMO.resolve("model.json"));
        FloatTensor batch = Npy.readFloat(Fixtures.SCENES.resolve("inputs.npy")).rows(0, 2);
        try (TorchModel model = TorchModel.load(config.modelPath())) {
            Explainer explainer = new Explainer(model, config.layer(), new GradCamPlusPlus(), Labels.NONE);
            for (int i = 0; i < 150; i++) explainer.explain(batch, new Targets.TopK(2));
            long trackedBefore = Pointer.totalBytes();
            long rssWarm = Pointer.physicalBytes();
            long heapWarm = Runtime.getRuntime().totalMemory();
            for (int i = 0; i < 200; i++) explainer.explain(batch, new Targets.TopK(2));
            long rssMiddle = Pointer.physicalBytes();
            long heapMiddle = Runtime.getRuntime().totalMemory();
            for (int i = 0; i < 200; i++) explainer.explain(batch, new Targets.TopK(2));
            long rssEnd = Pointer.physicalBytes();
            long heapEnd = Runtime.getRuntime().totalMemory();
            // after other tests in the same JVM the Java heap may still be expanding: that part of the growth is not native
            long lastGrowth = rssEnd - rssMiddle - Math.max(0, heapEnd - heapMiddle);
            long allGrowth = rssEnd - rssWarm - Math.max(0, heapEnd - heapWarm);
            long trackedGrowth = Pointer.totalBytes() - trackedBefore;
            assertTrue(trackedGrowth <= 1 << 20, "JavaCPP-tracked native bytes grew by " + trackedGrowth);
            assertTrue(lastGrowth < 16L << 20, "resident set (less Java heap growth) grew by " + (lastGrowth >> 20) + " MB over the last 200 calls");
            assertTrue(allGrowth < 48L << 20, "resident set (less Java heap growth) grew by " + (allGrowth >> 20) + " MB over 400 calls after warm-up");
        }
    }
}
