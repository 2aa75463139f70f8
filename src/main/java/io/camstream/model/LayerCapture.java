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
import java.util.function.Function;

/**
 * A copy of the model's {@code forward} graph rewritten to also return the outputs of named submodules.
 *
 * <p>Module boundaries survive only as {@code prim::CallMethod} nodes, so the rewrite inlines exactly the calls that
 * lie on the way to a target (one level at a time) and records the output of the target's call. With
 * {@code gradientLeaf} the first captured value is replaced, for everything downstream of it, by a detached copy that
 * requires grad: autograd then records only what follows the target layer, while the trunk runs untracked. Every
 * captured value is returned as the layer produced it: what follows reads a clone (in-place ops cannot overwrite it).
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
    private final Function<IValue, Tensor> logits;

    private LayerCapture(JitModule module, GraphFunction function, List<String> layers, Function<IValue, Tensor> logits) {
        this.module = module;
        this.function = function;
        this.layers = List.copyOf(layers);
        this.logits = logits;
    }

    @Override
    public List<String> layers() {
        return layers;
    }

    /** The rewritten graph (for {@link GraphSplit}, which copies it). */
    Graph graph() {
        return function.graph();
    }

    /** The model's logits (picked from its outputs as {@link ModelOutput} says) and the captured activations, in the order of {@link #layers()}. Caller scopes the tensors. */
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

    /** Reads the tuple (output, captured...) that a capture graph returns, picking the logits as {@link ModelOutput} says. */
    Result resultOf(IValue tuple) {
        TupleElements elements = tuple.toTuple().elements();
        Tensor out = logits.apply(elements.get(0));
        List<Tensor> acts = new ArrayList<>();
        for (int i = 1; i < elements.size(); i++) {
            IValue v = elements.get(i);
            acts.add(v.isTensor() ? v.toTensor() : null);
        }
        return new Result(out, acts);
    }

    static String shapeOf(Tensor t) {
        return java.util.Arrays.toString(t.sizes().vec().get());
    }

    /**
     * The reason in an exception message from libtorch: its first line (the rest is a C++ stack trace), except for
     * errors raised inside TorchScript code, whose first line only says "The following operation failed in the
     * TorchScript interpreter." and whose reason ("RuntimeError: mat1 and mat2 shapes cannot be multiplied ...")
     * comes after the TorchScript traceback.
     */
    public static String firstLine(String message) {
        if (message == null) return "(no message)";
        String[] lines = message.strip().split("\n");
        if (lines[0].startsWith("The following operation failed in the TorchScript interpreter")) {
            for (int i = lines.length - 1; i > 0; i--) {
                java.util.regex.Matcher m = TORCHSCRIPT_REASON.matcher(lines[i]);
                if (m.matches()) return m.group(1).strip();
            }
        }
        return lines[0].strip();
    }

    private static final java.util.regex.Pattern TORCHSCRIPT_REASON = java.util.regex.Pattern.compile("^\\s*(?:[\\w.]+(?:Error|Exception)): (.+)$");

    /**
     * Builds the capture for {@code targets} (module paths, all known to exist), each at call {@code call} of it.
     * Targets that are never called at the top level of {@code forward} (after inlining the calls that lead to
     * them) make this fail with a message that says why.
     */
    static LayerCapture build(JitModule module, List<String> targets, boolean gradientLeaf, LayerCall call, Function<IValue, Tensor> logits) {
        Graph g = module.get_method(new BytePointer("forward")).graph().copy();
        Calls found = inlineTowards(module, g, targets, false);
        List<String> missing = new ArrayList<>();
        Map<String, Value> captured = new HashMap<>();
        for (String t : targets) {
            String block = found.insideBlock(t);
            if (block != null) {
                throw new CamstreamException("layer '" + t + "' is called inside a " + block + " block of forward() (an `" + (block.equals("prim::If") ? "if" : "for/while")
                        + "` in the scripted code); camstream captures only calls on forward()'s straight-line path, where every input reaches them. "
                        + "Capture a layer outside that block, or export the model with torch.jit.trace, which records the branch taken");
            }
            List<Value> calls = found.calls.getOrDefault(t, List.of());
            if (calls.isEmpty()) {
                missing.add(t);
                continue;
            }
            int i = call.pick(calls.size());
            if (i < 0) {
                throw new CamstreamException("layer '" + t + "' is called " + calls.size() + " time(s) by forward(), so --call " + call + " does not exist; use first, last or 1.." + calls.size());
            }
            captured.put(t, calls.get(i));
        }
        if (!missing.isEmpty()) {
            throw new CamstreamException("layer(s) " + missing + " are submodules but are never called by forward(), so they cannot be captured");
        }
        return finish(module, g, targets, captured, gradientLeaf, true, logits);
    }

    /**
     * Captures every submodule that forward() calls at its top level, at its first call, in execution order (an
     * enclosing module after the modules inside it that produce the same value). No gradient leaf and no snapshot
     * copies: for discovering layers and shapes.
     */
    static LayerCapture buildAll(JitModule module, List<String> paths, Function<IValue, Tensor> logits) {
        Graph g = module.get_method(new BytePointer("forward")).graph().copy();
        Calls found = inlineTowards(module, g, paths, false);
        Map<String, Value> captured = new HashMap<>();
        for (Map.Entry<String, List<Value>> e : found.calls.entrySet()) {
            if (!e.getValue().isEmpty()) captured.put(e.getKey(), e.getValue().get(0));
        }
        List<String> order = new ArrayList<>(captured.keySet());
        order.sort((a, b) -> {
            JitNode na = captured.get(a).node();
            JitNode nb = captured.get(b).node();
            if (na.equals(nb)) return Integer.compare(b.length(), a.length());
            return na.isBefore(nb) ? -1 : 1;
        });
        return finish(module, g, order, captured, false, false, logits);
    }

    private static LayerCapture finish(JitModule module, Graph g, List<String> targets, Map<String, Value> captured, boolean gradientLeaf, boolean snapshot,
                                       Function<IValue, Tensor> logits) {
        List<Value> outputs = new ArrayList<>();
        for (String t : targets) outputs.add(captured.get(t));
        if (snapshot) snapshotOutputs(g, outputs, gradientLeaf);
        returnAlsoFromGraph(g, outputs);
        GraphFunction fn = LongLived.keep(new GraphFunction(new QualifiedName("camstream_capture"), g, NO_OP_CREATOR));
        return new LayerCapture(module, fn, targets, logits);
    }

    /**
     * Every target's calls at the top level of forward, in execution order, and the targets (or modules on the way
     * to them) that forward calls inside a nested block instead.
     */
    private record Calls(Map<String, List<Value>> calls, Map<String, String> blockCalls) {
        /** The kind of block ({@code prim::If}, {@code prim::Loop}) that hides a call of {@code target}, or null. */
        String insideBlock(String target) {
            for (Map.Entry<String, String> e : blockCalls.entrySet()) {
                String p = e.getKey();
                boolean onTheWay = p.equals(target) || p.isEmpty() || target.startsWith(p + ".");
                if (onTheWay && (p.equals(target) || calls.getOrDefault(target, List.of()).isEmpty())) return e.getValue();
            }
            return null;
        }
    }

    /** One scan of the graph: the calls seen so far and the first call to inline, if any. */
    private static final class Scan {
        final Map<String, String> names;
        final Map<Long, String> pathOf = new HashMap<>();
        final Map<String, List<Value>> calls = new LinkedHashMap<>();
        final Map<String, String> blockCalls = new LinkedHashMap<>();
        JitNode toInline;
        String toInlinePath;
        String toInlineMethod;

        Scan(Graph g) {
            names = GraphNames.of(g);
            pathOf.put(g.inputs().get(0).address(), "");
        }
    }

    /**
     * Inlines every method call of self and of modules on the path to a target, and returns each target's calls.
     * Calls inside {@code prim::If} / {@code prim::Loop} blocks are not inlined or captured, only reported.
     */
    private static Calls inlineTowards(JitModule root, Graph g, List<String> targets, boolean everything) {
        // outputs of target calls that were themselves inlined (because a deeper target lives under them)
        Map<String, List<Value>> inlinedTargets = new LinkedHashMap<>();
        while (true) {
            Scan scan = new Scan(g);
            walk(g.param_node().next(), g.return_node(), null, scan, targets, everything);
            if (scan.toInline == null) {
                for (Map.Entry<String, List<Value>> e : inlinedTargets.entrySet()) {
                    if (scan.calls.getOrDefault(e.getKey(), List.of()).isEmpty()) scan.calls.put(e.getKey(), e.getValue());
                }
                return new Calls(scan.calls, scan.blockCalls);
            }
            JitNode toInline = scan.toInline;
            String toInlinePath = scan.toInlinePath;
            String toInlineMethod = scan.toInlineMethod;
            JitModule owner = toInlinePath.isEmpty() ? root : submodule(root, toInlinePath);
            long oldOutput = toInline.output().address();
            GraphFunction callee = torch.toGraphFunction(owner.get_method(new BytePointer(toInlineMethod)).function());
            ValueVector newOutputs = torch.inlineCallTo(toInline, callee, false);
            Value replacement = newOutputs.size() == 1 ? newOutputs.get(0) : null;
            for (List<Value> values : inlinedTargets.values()) values.replaceAll(v -> v.address() == oldOutput ? replacement : v);
            if (targets.contains(toInlinePath) && toInlineMethod.equals("forward") && replacement != null) {
                inlinedTargets.computeIfAbsent(toInlinePath, k -> new ArrayList<>()).add(replacement);
            }
        }
    }

    /**
     * Scans nodes from {@code first} up to {@code end}; {@code block} is the kind of the enclosing nested block, null
     * at the top level. Stops at the first top-level call to inline.
     */
    private static void walk(JitNode first, JitNode end, String block, Scan scan, List<String> targets, boolean everything) {
        for (JitNode n = first; !n.equals(end); n = n.next()) {
            String kind = n.kind().toQualString().getString();
            boolean getAttr = kind.equals("prim::GetAttr");
            if ((getAttr || kind.equals("prim::CallMethod")) && n.outputs().size() == 1) {
                String base = scan.pathOf.get(n.input(0).address());
                String name = base == null ? null : scan.names.get(n.output().debugName().getString());
                if (name != null) {
                    if (getAttr) {
                        scan.pathOf.put(n.output().address(), base.isEmpty() ? name : base + "." + name);
                        continue;
                    }
                    boolean targetCall = targets.contains(base) && name.equals("forward");
                    boolean onTheWay = base.isEmpty() || leadsToTarget(base, targets);
                    if (block != null) {
                        if (targetCall || onTheWay) scan.blockCalls.putIfAbsent(base, block);
                        continue;
                    }
                    if (targetCall) scan.calls.computeIfAbsent(base, k -> new ArrayList<>()).add(n.output());
                    if (everything || onTheWay) {
                        scan.toInline = n;
                        scan.toInlinePath = base;
                        scan.toInlineMethod = name;
                        return;
                    }
                    continue;
                }
            }
            var blocks = n.blocks();
            for (long b = 0, nb = blocks.size(); b < nb; b++) {
                var inner = blocks.at(b);
                walk(inner.param_node().next(), inner.return_node(), block == null ? kind : block, scan, targets, everything);
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

    /**
     * Makes what the capture returns a snapshot of each layer's output: downstream code reads a clone, so in-place ops
     * that follow a layer ({@code out += identity}, {@code ReLU(inplace=True)}) neither overwrite the activation nor
     * fail on a leaf. With {@code gradientLeaf} the earliest value is first replaced, for everything downstream, by a
     * detached copy that requires grad, so autograd records only what follows it.
     */
    private static void snapshotOutputs(Graph g, List<Value> outputs, boolean gradientLeaf) {
        List<Value> distinct = new ArrayList<>();
        for (Value v : outputs) {
            // a tuple or other non-tensor output is returned as is (and refused later as having no map)
            boolean tensor = v.type().get().kind().value == torch.TypeKind.TensorType.value;
            if (tensor && distinct.stream().noneMatch(d -> d.address() == v.address())) distinct.add(v);
        }
        distinct.sort((a, b) -> a.node().equals(b.node()) ? 0 : a.node().isBefore(b.node()) ? -1 : 1);
        for (int k = 0; k < distinct.size(); k++) {
            Value v = distinct.get(k);
            Value kept = k == 0 && gradientLeaf ? insertLeaf(g, v) : v;
            Value none = g.insertConstant(new IValue());
            JitNode clone = g.create(Symbol.fromQualString("aten::clone"), new ValueVector(kept, none), 1);
            clone.insertAfter(kept.node());
            none.node().moveBefore(clone);
            clone.output().setType(v.type());
            v.replaceAllUsesAfterNodeWith(clone, clone.output());
            for (int i = 0; i < outputs.size(); i++) {
                if (outputs.get(i).address() == v.address()) outputs.set(i, kept);
            }
        }
    }

    /** {@code detach(v).requires_grad_(true)}, inserted right after {@code v}'s node. */
    private static Value insertLeaf(Graph g, Value v) {
        JitNode detach = g.create(Symbol.fromQualString("aten::detach"), new ValueVector(v), 1);
        detach.insertAfter(v.node());
        detach.output().setType(v.type());
        Value yes = g.insertConstant(new IValue(true));
        yes.node().moveBefore(detach);
        JitNode requiresGrad = g.create(Symbol.fromQualString("aten::requires_grad_"), new ValueVector(detach.output(), yes), 1);
        requiresGrad.insertAfter(detach);
        requiresGrad.output().setType(v.type());
        return requiresGrad.output();
    }
}
