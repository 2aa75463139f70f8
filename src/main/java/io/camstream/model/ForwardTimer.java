package io.camstream.model;

import io.camstream.tensor.FloatTensor;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Times a model's forwards of one batch that is staged once (as {@code bench} measures them): the plain TorchScript
 * forward a user would run, and the inference forward camstream uses for masked copies. On CUDA each forward ends
 * with the logits' copy to the host, so that the time covers the work and not only its launch.
 */
public final class ForwardTimer implements AutoCloseable {
    private final PointerScope scope = new PointerScope();
    private final TorchModel model;
    private final Tensor input;

    public ForwardTimer(TorchModel model, FloatTensor input) {
        this.model = model;
        this.input = model.toModelInput(input);
    }

    /** Nanoseconds of one plain forward (no gradients, no optimisation). */
    public long plainForwardNanos() {
        long t0 = System.nanoTime();
        try (PointerScope s = new PointerScope()) {
            finish(model.forward(input));
        }
        return System.nanoTime() - t0;
    }

    /** Nanoseconds of one inference forward (the optimised graph when the model was loaded with optimisation). */
    public long inferenceForwardNanos() {
        long t0 = System.nanoTime();
        try (PointerScope s = new PointerScope()) {
            finish(model.inferenceForward(input));
        }
        return System.nanoTime() - t0;
    }

    private void finish(Tensor logits) {
        if (model.device().isCuda()) Tensors.toJava(logits);
    }

    @Override
    public void close() {
        scope.close();
    }
}
