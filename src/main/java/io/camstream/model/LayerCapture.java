package io.camstream.model;

import io.camstream.CamstreamException;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Graph;
import org.bytedeco.pytorch.GraphFunction;
import org.bytedeco.pytorch.GraphFunctionCreator;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.JitNode;
import org.bytedeco.pytorch.QualifiedName;
import org.bytedeco.pytorch.Symbol;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TupleElements;
import org.bytedeco.pytorch.Value;
import org.bytedeco.pytorch.ValueVector;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A copy of the model's {@code forward} graph rewritten to also return the outputs of named submodules.
 *
 * <p>Module boundaries survive only as {@code prim::CallMethod} nodes, so the rewrite inlines exactly the calls that
 * lie on the way to a target (one level at a time) and records the output of the target's call. With
 * {@code gradientLeaf} the first captured value is replaced, for everything downstream of it, by a detached copy that
 * requires grad: autograd then records only what follows the target layer, while the trunk runs untracked.
 */
public final class LayerCapture implements ActivationCapture {
    private static final GraphFunctionCreator NO_OP_CREATOR = LongLived.pin(new GraphFunctionCreator() {
        @Override
        public void call(GraphFunction f) {
            // the graph is complete already; nothing to generate lazily
        }
    });

    private final JitModule module;
    private final GraphFunction function;
    private final List<String> layers;

    private LayerCapture(JitModule module, GraphFunction function, List<String> layers) {
        this.module = module;
        this.function = function;
        this.layers = List.copyOf(layers);
    }

    @Override
    public List<String> layers() {
        return layers;
    }

    /** The rewritten graph (for {@link GraphSplit}, which copies it). */
    Graph graph() {
        return function.graph();
    }

    /** The model's output and the captured activations, in the order of {@link #layers()}. Caller scopes the tensors. */
    public record Result(Tensor output, List<Tensor> activations) {
    }

    @Override
    public Result run(Tensor input) {
        IValueVector stack = new IValueVector();
        stack.push_back(new IValue(module._ivalue()));
        stack.push_back(new IValue(input));
        try {
            function.run(stack);
        } catch (RuntimeException e) {
            throw new io.camstream.InvalidInputException("the model rejected the input of shape " + shapeOf(input) + ": " + firstLine(e.getMessage()), e);
        }
        return resultOf(stack.get(0));
    }

    /** Reads the tuple (output, captured...) that a capture graph returns. */
    static Result resultOf(IValue tuple) {
        TupleElements elements = tuple.toTuple().elements();
        IValue out = elements.get(0);
        if (!out.isTensor()) {
            throw new ModelLoadException("the model's forward returns " + out.tagKind().getString() + ", not a logits tensor");
        }
        List<Tensor> acts = new ArrayList<>();
        for (int i = 1; i < elements.size(); i++) {
            IValue v = elements.get(i);
            acts.add(v.isTensor() ? v.toTensor() : null);
        }
        return new Result(out.toTensor(), acts);
    }

    static String shapeOf(Tensor t) {
        return java.util.Arrays.toString(t.sizes().vec().get());
    }

    /** The first line of an exception message from libtorch (the rest is a C++ stack trace). */
    public static String firstLine(String message) {
        if (message == null) return "(no message)";
        String m = message.strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /**
     * Builds the capture for {@code targets} (module paths, all known to exist). Targets that are never called in
     * {@code forward} make this fail with a clear message.
     */
    static LayerCapture build(JitModule module, List<String> targets, boolean gradientLeaf) {
        Graph g = module.get_method(new BytePointer("forward")).graph().copy();
        Map<String, Value> captured = inlineTowards(module, g, targets, false);
        List<String> missing = new ArrayList<>();
        for (String t : targets) {
            if (!captured.containsKey(t)) missing.add(t);
        }
        if (!missing.isEmpty()) {
            throw new CamstreamException("layer(s) " + missing + " are submodules but are never called by forward(), so they cannot be captured");
        }
        return finish(module, g, targets, captured, gradientLeaf);
    }

    /**
     * Captures every submodule that forward() calls, in execution order (an enclosing module after the modules
     * inside it that produce the same value). No gradient leaf: for discovering layers and shapes.
     */
    static LayerCapture buildAll(JitModule module, List<String> paths) {
        Graph g = module.get_method(new BytePointer("forward")).graph().copy();
        Map<String, Value> captured = inlineTowards(module, g, paths, false);
        List<String> order = new ArrayList<>(captured.keySet());
        order.sort((a, b) -> {
            JitNode na = captured.get(a).node();
            JitNode nb = captured.get(b).node();
            if (na.equals(nb)) return Integer.compare(b.length(), a.length());
            return na.isBefore(nb) ? -1 : 1;
        });
        return finish(module, g, order, captured, false);
    }

    private static LayerCapture finish(JitModule module, Graph g, List<String> targets, Map<String, Value> captured, boolean gradientLeaf) {
        List<Value> outputs = new ArrayList<>();
        for (String t : targets) outputs.add(captured.get(t));
        if (gradientLeaf) {
            makeFirstOutputALeaf(g, outputs);
        }
        returnAlsoFromGraph(g, outputs);
        GraphFunction fn = LongLived.keep(new GraphFunction(new QualifiedName("camstream_capture"), g, NO_OP_CREATOR));
        return new LayerCapture(module, fn, targets);
    }

    /**
     * Inlines every method call of self and of modules on the path to a target, and returns each target's output.
     * A module called more than once is captured at its last call (the same as a forward hook that overwrites).
     */
    private static Map<String, Value> inlineTowards(JitModule root, Graph g, List<String> targets, boolean everything) {
        // outputs of target calls that were themselves inlined (because a deeper target lives under them)
        Map<String, Value> inlinedTargets = new HashMap<>();
        while (true) {
            Map<String, String> names = GraphNames.of(g);
            Map<Long, String> pathOf = new HashMap<>();
            pathOf.put(g.inputs().get(0).address(), "");
            Map<String, Value> captured = new LinkedHashMap<>();
            JitNode toInline = null;
            String toInlinePath = null;
            String toInlineMethod = null;
            for (JitNode n = g.param_node().next(); !n.equals(g.return_node()); n = n.next()) {
                String kind = n.kind().toQualString().getString();
                boolean getAttr = kind.equals("prim::GetAttr");
                if (!getAttr && !kind.equals("prim::CallMethod")) continue;
                if (n.outputs().size() != 1) continue;
                String base = pathOf.get(n.input(0).address());
                if (base == null) continue;
                String name = names.get(n.output().debugName().getString());
                if (name == null) continue;
                if (getAttr) {
                    pathOf.put(n.output().address(), base.isEmpty() ? name : base + "." + name);
                    continue;
                }
                if (targets.contains(base) && name.equals("forward")) {
                    captured.put(base, n.output());
                }
                if (everything || base.isEmpty() || leadsToTarget(base, targets)) {
                    toInline = n;
                    toInlinePath = base;
                    toInlineMethod = name;
                    break;
                }
            }
            if (toInline == null) {
                for (Map.Entry<String, Value> e : inlinedTargets.entrySet()) {
                    captured.putIfAbsent(e.getKey(), e.getValue());
                }
                return captured;
            }
            JitModule owner = toInlinePath.isEmpty() ? root : submodule(root, toInlinePath);
            long oldOutput = toInline.output().address();
            GraphFunction callee = torch.toGraphFunction(owner.get_method(new BytePointer(toInlineMethod)).function());
            ValueVector newOutputs = torch.inlineCallTo(toInline, callee, false);
            Value replacement = newOutputs.size() == 1 ? newOutputs.get(0) : null;
            inlinedTargets.replaceAll((k, v) -> v.address() == oldOutput ? replacement : v);
            if (targets.contains(toInlinePath) && toInlineMethod.equals("forward") && replacement != null) {
                inlinedTargets.put(toInlinePath, replacement);
            }
        }
    }

    /** Inlines every method call of every module reached from self: the graph is then made of operators only. */
    static void inlineEverything(JitModule root, Graph g) {
        inlineTowards(root, g, List.of(), true);
    }

    private static boolean leadsToTarget(String path, List<String> targets) {
        String prefix = path + ".";
        for (String t : targets) {
            if (t.startsWith(prefix)) return true;
        }
        return false;
    }

    static JitModule submodule(JitModule root, String path) {
        JitModule m = root;
        for (String part : path.split("\\.")) {
            m = new JitModule(m.attr(part).toObject());
        }
        return m;
    }

    /** Re-roots autograd at the earliest captured value: detach it and mark the copy as requiring grad. */
    /** Makes {@code g} return the tuple (its former output, extra...) so that one run yields both. */
    static void returnAlsoFromGraph(Graph g, List<Value> extra) {
        ValueVector items = new ValueVector();
        items.push_back(g.outputs().get(0));
        for (Value v : extra) items.push_back(v);
        JitNode tuple = g.createTuple(items);
        g.appendNode(tuple);
        g.eraseOutput(0);
        g.registerOutput(tuple.output());
    }

    private static void makeFirstOutputALeaf(Graph g, List<Value> outputs) {
        Value first = outputs.get(0);
        for (Value v : outputs) {
            if (v.node().isBefore(first.node())) first = v;
        }
        JitNode detach = g.create(Symbol.fromQualString("aten::detach"), new ValueVector(first), 1);
        detach.insertAfter(first.node());
        detach.output().setType(first.type());
        Value yes = g.insertConstant(new IValue(true));
        yes.node().moveBefore(detach);
        JitNode requiresGrad = g.create(Symbol.fromQualString("aten::requires_grad_"), new ValueVector(detach.output(), yes), 1);
        requiresGrad.insertAfter(detach);
        requiresGrad.output().setType(first.type());
        Value leaf = requiresGrad.output();
        // Downstream code sees a clone, so in-place ops that follow the layer (`out += identity`, ReLU(inplace))
        // neither fail on the leaf nor overwrite the activation we return.
        Value none = g.insertConstant(new IValue());
        none.node().moveBefore(detach);
        JitNode clone = g.create(Symbol.fromQualString("aten::clone"), new ValueVector(leaf, none), 1);
        clone.insertAfter(requiresGrad);
        clone.output().setType(first.type());
        first.replaceAllUsesAfterNodeWith(clone, clone.output());
        for (int i = 0; i < outputs.size(); i++) {
            if (outputs.get(i).address() == first.address()) outputs.set(i, leaf);
        }
    }
}
