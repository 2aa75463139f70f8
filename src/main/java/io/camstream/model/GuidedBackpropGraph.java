package io.camstream.model;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.ExecutorExecutionModeOptional;
import org.bytedeco.pytorch.FunctionType;
import org.bytedeco.pytorch.IValueOptional;
import org.bytedeco.pytorch.Type;
import org.bytedeco.pytorch.Graph;
import org.bytedeco.pytorch.GraphFunction;
import org.bytedeco.pytorch.GraphFunctionCreator;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.JitNode;
import org.bytedeco.pytorch.QualifiedName;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Symbol;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorBase;
import org.bytedeco.pytorch.TensorTensorHook;
import org.bytedeco.pytorch.TupleElements;
import org.bytedeco.pytorch.Value;
import org.bytedeco.pytorch.ValueVector;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.List;

/**
 * The model's forward rewritten for guided backpropagation (Springenberg et al. 2015): every module call inlined,
 * every top-level ReLU ({@code aten::relu}, {@code aten::relu_}, and calls of {@code F.relu}, which is what
 * {@code nn.ReLU} runs in a scripted model) replaced by an out-of-place {@code aten::relu} (in-place ones also
 * re-route later readers of their input), and every ReLU output also returned, with
 * its downstream uses reading a clone of it (so that no later in-place op changes the tensor we hook). After the
 * forward, a gradient hook on each ReLU output clamps the gradient arriving there at zero; ReLU's own backward then
 * masks where its input was not positive. Together: the gradient passes a ReLU only where both the input and the
 * gradient are positive. ReLUs inside control-flow blocks ({@code prim::If}, {@code prim::Loop}) are not guided.
 *
 * <p>The graph runs on the simple executor: the profiling executor would, after warm-up, merge ReLUs into
 * differentiable subgraphs whose internal gradients never reach a hook.
 */
public final class GuidedBackpropGraph {
    private static final GraphFunctionCreator NO_OP_CREATOR = LongLived.pin(new GraphFunctionCreator() {
        @Override
        public void call(GraphFunction f) {
            // complete already
        }
    });

    /** The guided rule at a ReLU's output: only positive gradient flows back into it. */
    private static final TensorTensorHook CLAMP_AT_ZERO = LongLived.pin(new TensorTensorHook() {
        @Override
        public TensorBase call(TensorBase grad) {
            return new Tensor(grad).clamp_min(new Scalar(0.0));
        }
    });

    private final JitModule module;
    private final GraphFunction function;
    private final int relus;

    private final java.util.function.Function<IValue, Tensor> logits;

    private GuidedBackpropGraph(JitModule module, GraphFunction function, int relus, java.util.function.Function<IValue, Tensor> logits) {
        this.logits = logits;
        this.module = module;
        this.function = function;
        this.relus = relus;
    }

    static GuidedBackpropGraph build(JitModule module, java.util.function.Function<IValue, Tensor> logits) {
        Graph g = module.get_method(new BytePointer("forward")).graph().copy();
        LayerCapture.inlineEverything(module, g);
        // ReLUs appear as aten::relu / aten::relu_ (torch.relu, traced models) or, in scripted models, as calls of the
        // TorchScript function torch.nn.functional.relu(input, inplace) (nn.ReLU's forward, F.relu)
        List<JitNode> reluNodes = new ArrayList<>();
        for (JitNode n = g.param_node().next(); !n.equals(g.return_node()); n = n.next()) {
            if (reluKind(n) != null) reluNodes.add(n);
        }
        Value none = g.insertConstant(new IValue());
        none.node().moveBefore(g.param_node().next());
        List<Value> outputs = new ArrayList<>();
        for (JitNode n : reluNodes) {
            String kind = reluKind(n);
            boolean call = kind.equals("call");
            Value in = n.input(call ? 1 : 0);
            boolean inPlace = kind.equals("aten::relu_") || (call && constantTrue(n.input(2)));
            JitNode relu = g.create(Symbol.fromQualString("aten::relu"), new ValueVector(in), 1);
            relu.insertBefore(n);
            relu.output().setType(n.output().type());
            n.output().replaceAllUsesWith(relu.output());
            if (inPlace) {
                // an in-place ReLU changed its input: later readers of the input must see the ReLU'd value
                in.replaceAllUsesAfterNodeWith(n, relu.output());
            }
            n.destroy();
            Value out = relu.output();
            JitNode clone = g.create(Symbol.fromQualString("aten::clone"), new ValueVector(out, none), 1);
            clone.insertAfter(relu);
            clone.output().setType(out.type());
            out.replaceAllUsesAfterNodeWith(clone, clone.output());
            outputs.add(out);
        }
        LayerCapture.returnAlsoFromGraph(g, outputs);
        GraphFunction fn = LongLived.keep(new GraphFunction(new QualifiedName("camstream_guided"), g, NO_OP_CREATOR,
                new ExecutorExecutionModeOptional(torch.ExecutorExecutionMode.SIMPLE)));
        return new GuidedBackpropGraph(module, fn, outputs.size(), logits);
    }

    /** "aten::relu", "aten::relu_", "call" for a call of torch.nn.functional.relu, or null. */
    private static String reluKind(JitNode n) {
        String kind = n.kind().toQualString().getString();
        if (kind.equals("aten::relu") || kind.equals("aten::relu_")) return kind;
        if (!kind.equals("prim::CallFunction") || n.inputs().size() != 3) return null;
        Type.TypePtr type = n.input(0).type();
        if (type.get().kind().value != torch.TypeKind.FunctionType.value) return null; // JavaCPP enums: compare values, not instances
        String name = new FunctionType(type.get()).function().qualname().qualifiedName().getString();
        return name.equals("torch.nn.functional.relu") || name.equals("__torch__.torch.nn.functional.relu") ? "call" : null;
    }

    private static boolean constantTrue(Value v) {
        IValueOptional c = torch.toIValue(v);
        if (!c.has_value() || !c.get().isBool()) {
            throw new io.camstream.CamstreamException("guided backprop cannot tell whether a call of F.relu is in place (its inplace argument is not a constant)");
        }
        return c.get().toBool();
    }

    /** How many ReLUs are guided. */
    public int reluCount() {
        return relus;
    }

    /**
     * Runs the forward with autograd on (give an input that requires grad) and arms the guided rule on every ReLU;
     * back-propagate from the returned logits. Call inside a {@code PointerScope}.
     */
    public Tensor run(Tensor input) {
        IValueVector stack = new IValueVector();
        stack.push_back(new IValue(module._ivalue()));
        stack.push_back(new IValue(input));
        try {
            function.run(stack);
        } catch (RuntimeException e) {
            throw new io.camstream.InvalidInputException("the model rejected the input of shape " + LayerCapture.shapeOf(input) + ": "
                    + LayerCapture.firstLine(e.getMessage()), e);
        }
        TupleElements elements = stack.get(0).toTuple().elements();
        Tensor out = logits.apply(elements.get(0));
        for (int i = 1; i < elements.size(); i++) {
            Tensor r = elements.get(i).toTensor();
            if (r.requires_grad()) r.register_hook(CLAMP_AT_ZERO);
        }
        return out;
    }
}
