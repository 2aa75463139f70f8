package io.camstream.model;

import io.camstream.Fixtures;
import io.camstream.tensor.FloatTensor;
import io.camstream.tensor.Npy;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The frozen, optimised whole forward used for pure-inference batches, against the model's own forward. */
class OptimisedForwardTest {
    @Test
    void sameLogitsAsThePlainForwardForEveryBatchShape() {
        try (TorchModel m = TorchModel.load(Fixtures.PARITY.resolve("tiny_resnet.pt"))) {
            FloatTensor input = Npy.readFloat(Fixtures.PARITY.resolve("tiny_resnet_input.npy"));
            OptimisedForward f = new OptimisedForward(m);
            for (int n = 1; n <= input.dim(0); n++) {
                for (int round = 0; round < 2; round++) { // the second run is past the one-time parity check
                    try (PointerScope scope = new PointerScope()) {
                        Tensor x = Tensors.toTorch(input.rows(0, n));
                        FloatTensor got = Tensors.toJava(f.forward(x));
                        FloatTensor want = Tensors.toJava(m.forward(x));
                        assertNull(f.fallbackReason(), f.fallbackReason());
                        double err = ParityCheck.relativeError(got.data(), want.data());
                        assertTrue(err < 1e-4, "batch " + n + ": relative error " + err);
                    }
                }
            }
        }
    }

    @Test
    void aForwardThatWritesModuleStateRunsPlain() {
        try (TorchModel m = TorchModel.load(Fixtures.ROOT.resolve("optimise/stateful.pt")); PointerScope scope = new PointerScope()) {
            OptimisedForward f = new OptimisedForward(m);
            f.forward(torch.randn(1, 3, 8, 8));
            assertNotNull(f.fallbackReason());
            assertTrue(f.fallbackReason().contains("writes module state"), f.fallbackReason());
        }
    }
}
