package io.camstream.explain;

import io.camstream.model.ExecutionDevice;
import io.camstream.model.TorchModel;
import io.camstream.tensor.FloatTensor;
import io.camstream.tensor.Npy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URISyntaxException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's CPU path (which the GPU path must reproduce) against goldens computed in Python the way
 * pytorch-grad-cam does ({@code src/test/resources/gpu-path/make_fixtures.py}); and the same numbers when the model
 * is laid out channels_last (the activations then arrive NHWC, as on the GPU).
 */
class ExplainerGoldenTest {
    static Path fixture(String name) {
        try {
            return Path.of(ExplainerGoldenTest.class.getResource("/gpu-path/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static void assertClose(FloatTensor expected, FloatTensor actual, double tol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        double scale = 0;
        for (float v : expected.data()) scale = Math.max(scale, Math.abs(v));
        double maxErr = 0;
        for (int i = 0; i < expected.numel(); i++) maxErr = Math.max(maxErr, Math.abs(expected.data()[i] - actual.data()[i]));
        assertTrue(maxErr <= tol * Math.max(scale, 1e-30), what + ": max error " + maxErr + " (scale " + scale + ")");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gradcam", "gradcam++", "activations"})
    void cpuPathMatchesPythonGoldens(String method) {
        String file = method.replace("+", "p");
        FloatTensor input = Npy.readFloat(fixture("input.npy"));
        for (ExecutionDevice device : new ExecutionDevice[]{ExecutionDevice.cpu(), ExecutionDevice.cpu().withChannelsLast(true)}) {
            try (TorchModel model = TorchModel.load(fixture("tiny_cnn.pt"), device)) {
                ExplanationBatch b = new Explainer(model, "features.3", Methods.byName(method), Labels.NONE).explain(input, Targets.top1());
                assertClose(Npy.readFloat(fixture(file + "_cams.npy")), b.cams(), 1e-5, method + " cams on " + device);
                assertClose(Npy.readFloat(fixture(file + "_heat.npy")), b.heatmaps(), 1e-5, method + " heatmaps on " + device);
            }
        }
    }
}
