package io.camstream.model;

import io.camstream.InvalidInputException;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The model's whole forward, frozen and optimised for inference: for the pure-inference forwards (Score-CAM's masked
 * copies, occlusion, evaluate's perturbed inputs, methods without layers). Built on first use; checked against the
 * plain forward once per input shape; falls back to the plain forward, saying so once, where it cannot be used.
 */
final class OptimisedForward {
    private static final Logger log = LoggerFactory.getLogger(OptimisedForward.class);
    private final TorchModel model;
    private final ParityCheck check = new ParityCheck();
    private JitModule optimised;
    private String fallback;

    OptimisedForward(TorchModel model) {
        this.model = model;
    }

    /** Logits without autograd. The caller owns the returned tensor's scope. */
    Tensor forward(Tensor input) {
        if (fallback == null && optimised == null) build();
        if (fallback != null) return model.forward(input);
        try (NoGradGuard noGrad = new NoGradGuard()) {
            Tensor out;
            try {
                out = run(input);
            } catch (RuntimeException e) {
                Tensor plain = model.forward(input); // bad input fails here with the usual message
                fallBack("the optimised forward failed: " + LayerCapture.firstLine(e.getMessage()));
                return plain;
            }
            if (check.needed(input)) {
                Tensor plain = model.forward(input);
                String diff = ParityCheck.compare(List.of("logits"), List.of(out), List.of(plain));
                if (diff != null) {
                    fallBack("its logits differ from the plain forward's: " + diff);
                    return plain;
                }
                check.passed(input);
            }
            return out;
        }
    }

    private Tensor run(Tensor input) {
        IValueVector args = new IValueVector();
        args.push_back(new IValue(input));
        Tensor t = model.logitsOf(optimised.forward(args));
        return t.is_mkldnn() ? t.to_dense() : t;
    }

    private void build() {
        try {
            JitModule m = LongLived.keep(InferenceModules.optimise(model.module()));
            if (InferenceModules.writesState(m.get_method("forward").graph())) {
                fallBack("the model's forward writes module state");
                return;
            }
            optimised = m;
        } catch (RuntimeException e) {
            fallBack("freezing/optimising the forward failed: " + LayerCapture.firstLine(e.getMessage()));
        }
    }

    private void fallBack(String reason) {
        fallback = reason;
        optimised = null;
        log.info("{}: inference-optimised forward not used ({}); running the plain forward", model.path().getFileName(), reason);
    }

    /** Why the plain forward is used, or null while the optimised one is. */
    String fallbackReason() {
        return fallback;
    }

    void close() {
        if (optimised != null) optimised.close();
        optimised = null;
    }
}
