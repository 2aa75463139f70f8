package io.camstream.postprocess.cuda;

import io.camstream.CamstreamException;
import io.camstream.CudaUnavailableException;
import io.camstream.explain.Explainer;
import io.camstream.explain.Labels;
import io.camstream.explain.Methods;
import io.camstream.explain.Targets;
import io.camstream.model.CudaDevices;
import io.camstream.model.ExecutionDevice;
import io.camstream.model.TorchModel;
import io.camstream.tensor.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIf;

import java.net.URISyntaxException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where there is no usable GPU (the CPU build, or no driver/device), asking for CUDA fails with the typed
 * "CUDA not available" error, never with a native crash, and the CPU path keeps working afterwards.
 */
@DisabledIf(value = "cudaUsable", disabledReason = "a CUDA device is usable here: the gpu-tagged tests cover this machine")
class CudaUnavailableTest {
    static Path fixture(String name) {
        try {
            return Path.of(CudaUnavailableTest.class.getResource("/gpu-path/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean cudaUsable() {
        return CudaDevices.available();
    }

    private static void assertUnavailable(CamstreamException e) {
        assertTrue(e instanceof CudaUnavailableException, "expected CudaUnavailableException, got " + e);
        assertTrue(e.getMessage().startsWith("CUDA not available: "), e.getMessage());
    }

    @Test
    void loadingAModelOnCudaIsATypedError() {
        CamstreamException e = assertThrows(CamstreamException.class, () -> TorchModel.load(fixture("tiny_cnn.pt"), ExecutionDevice.cuda(0)));
        assertUnavailable(e);
        assertTrue(e.getMessage().contains("--device cpu"), e.getMessage());
    }

    @Test
    void kernelsAndPostprocessorAreTypedErrors() {
        assertUnavailable(assertThrows(CamstreamException.class, () -> CamKernels.forDevice(0)));
        assertUnavailable(assertThrows(CamstreamException.class, () -> CudaModule.forDevice(0)));
        // asked twice: the remembered failure, not a NoClassDefFoundError from a half-initialised class
        assertUnavailable(assertThrows(CamstreamException.class, () -> CamKernels.forDevice(0)));
    }

    @Test
    void cpuPathStillWorksAfterAFailedCudaRequest() {
        assertThrows(CamstreamException.class, () -> CamKernels.forDevice(0));
        try (TorchModel model = TorchModel.load(fixture("tiny_cnn.pt"), ExecutionDevice.parse("cpu"))) {
            var batch = new Explainer(model, "features.3", Methods.byName("gradcam"), Labels.NONE)
                    .explain(Npy.readFloat(fixture("input.npy")), Targets.top1());
            assertEquals(2, batch.size());
        }
    }
}
