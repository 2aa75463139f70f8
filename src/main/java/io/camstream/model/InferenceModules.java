package io.camstream.model;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Function;
import org.bytedeco.pytorch.Graph;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.global.torch;

/**
 * Freezing and inference optimisation through the two entry points the presets map ({@code torch::jit::freeze},
 * {@code torch::jit::optimize_for_inference}): parameters become constants, conv + batch-norm (and add/mul) fold,
 * and on the CPU convolutions run on pre-packed oneDNN weights. Only {@code forward} gets the frozen-graph passes,
 * so a graph to optimise is installed as the {@code forward} of a clone first.
 */
final class InferenceModules {
    private InferenceModules() {
    }

    /** A frozen, inference-optimised copy of {@code module}'s forward; {@code module} is left as it is. */
    static JitModule optimise(JitModule module) {
        JitModule frozen = torch.freeze(module);
        return torch.optimize_for_inference(frozen);
    }

    /**
     * A shallow clone of {@code module} (tensors shared, types cloned) whose types can be changed without touching
     * {@code module}'s: build graphs against it, then {@link #replaceForward} on it.
     */
    static JitModule cloneTypes(JitModule module) {
        return module.clone(true);
    }

    /** Makes {@code graph} (built against {@code clone}'s types) the forward of {@code clone}. */
    static void replaceForward(JitModule clone, Graph graph) {
        Function old = clone.get_method(new BytePointer("forward")).function();
        var name = old.qualname();
        var cu = clone.type().compilation_unit();
        Function fn = cu.create_function(name, graph, true);
        clone.type().unsafeRemoveMethod("forward");
        clone.type().addMethod(fn);
    }

    /** Whether {@code graph} still writes module state (a frozen copy's state would drift from the model's). */
    static boolean writesState(Graph graph) {
        return graph.toString().contains("prim::SetAttr");
    }
}
