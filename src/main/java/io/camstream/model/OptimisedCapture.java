package io.camstream.model;

import org.bytedeco.pytorch.GraphFunction;
import org.bytedeco.pytorch.GraphFunctionCreator;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.QualifiedName;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TupleElements;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link LayerCapture} run as two graphs (see {@link GraphSplit}): the trunk, frozen and optimised for inference
 * and run without autograd, then the head, an ordinary graph that autograd records from the leaf the capture makes
 * of the layer's output. Same results as the capture (checked once per input shape, within
 * {@link ParityCheck#TOLERANCE}); where the split or the passes cannot apply, or the check fails, it runs the
 * capture itself and says why once.
 */
public final class OptimisedCapture implements ActivationCapture {
    private static final Logger log = LoggerFactory.getLogger(OptimisedCapture.class);
    private static final GraphFunctionCreator NO_OP_CREATOR = LongLived.pin(new GraphFunctionCreator() {
        @Override
        public void call(GraphFunction f) {
            // the graph is complete already
        }
    });

    private final String modelName;
    private final LayerCapture plain;
    private final ParityCheck check = new ParityCheck();
    private JitModule headSelf;
    private GraphFunction head;
    private JitModule trunk;
    private String trunkGraph;
    private String fallback;

    private OptimisedCapture(String modelName, LayerCapture plain) {
        this.modelName = modelName;
        this.plain = plain;
    }

    /**
     * Splits and optimises the capture of {@code layers}; a failure leaves the capture running whole (logged).
     * Call with no {@code PointerScope} open, or inside the one that owns the model.
     */
    static OptimisedCapture build(JitModule module, String modelName, List<String> layers, boolean gradientLeaf, LayerCall call,
                                  java.util.function.Function<org.bytedeco.pytorch.IValue, org.bytedeco.pytorch.Tensor> logits,
                                  LayerCapture plain) {
        OptimisedCapture c = new OptimisedCapture(modelName, plain);
        try {
            // graphs are built against a clone's types, so that the trunk can become that clone's forward
            JitModule clone = LongLived.keep(InferenceModules.cloneTypes(module));
            LayerCapture capture = LayerCapture.build(clone, layers, gradientLeaf, call, logits);
            GraphSplit split = GraphSplit.of(capture.graph());
            InferenceModules.replaceForward(clone, split.trunk);
            JitModule optimised = LongLived.keep(InferenceModules.optimise(clone));
            String text = optimised.get_method("forward").graph().toString();
            if (InferenceModules.writesState(optimised.get_method("forward").graph())) {
                c.fallBack("the layers before " + layers.get(0) + " write module state");
                return c;
            }
            c.headSelf = clone;
            c.head = LongLived.keep(new GraphFunction(new QualifiedName("camstream_head"), split.head, NO_OP_CREATOR));
            c.trunk = optimised;
            c.trunkGraph = text;
        } catch (GraphSplit.Unsplittable e) {
            c.fallBack(e.getMessage());
        } catch (RuntimeException e) {
            c.fallBack("freezing/optimising the trunk failed: " + LayerCapture.firstLine(e.getMessage()));
        }
        return c;
    }

    @Override
    public List<String> layers() {
        return plain.layers();
    }

    @Override
    public LayerCapture.Result run(Tensor input) {
        if (fallback != null) return plain.run(input);
        LayerCapture.Result r;
        try {
            r = runSplit(input);
        } catch (RuntimeException e) {
            LayerCapture.Result whole = plain.run(input); // bad input fails here with the usual message
            fallBack("the optimised trunk failed: " + LayerCapture.firstLine(e.getMessage()));
            return whole;
        }
        if (check.needed(input)) {
            LayerCapture.Result expected;
            try (NoGradGuard noGrad = new NoGradGuard()) {
                expected = plain.run(input);
            }
            List<String> names = new ArrayList<>(List.of("logits"));
            names.addAll(layers());
            List<Tensor> got = new ArrayList<>(List.of(r.output()));
            got.addAll(r.activations());
            List<Tensor> want = new ArrayList<>(List.of(expected.output()));
            want.addAll(expected.activations());
            String diff = ParityCheck.compare(names, got, want);
            if (diff != null) {
                fallBack("the split graph's " + diff + " from the whole capture's");
                return plain.run(input);
            }
            check.passed(input);
        }
        return r;
    }

    private LayerCapture.Result runSplit(Tensor input) {
        IValueVector args = new IValueVector();
        args.push_back(new IValue(input));
        IValue crossing;
        try (NoGradGuard noGrad = new NoGradGuard()) {
            crossing = trunk.forward(args);
        }
        IValueVector stack = new IValueVector();
        stack.push_back(new IValue(headSelf._ivalue()));
        stack.push_back(new IValue(input));
        TupleElements values = crossing.toTuple().elements();
        for (int i = 0; i < values.size(); i++) {
            IValue v = values.get(i);
            if (v.isTensor() && v.toTensor().is_mkldnn()) v = new IValue(v.toTensor().to_dense());
            stack.push_back(v);
        }
        head.run(stack);
        return plain.resultOf(stack.get(0));
    }

    private void fallBack(String reason) {
        fallback = reason;
        trunk = null;
        head = null;
        headSelf = null;
        log.info("{} at {}: inference-optimised trunk not used ({}); running the whole capture", modelName, String.join(",", plain.layers()), reason);
    }

    /** Whether the split, optimised graphs are in use. */
    public boolean optimised() {
        return fallback == null;
    }

    /** Why the whole capture is used instead, or null. */
    public String fallbackReason() {
        return fallback;
    }

    /** The optimised trunk's graph as text (null when not in use): what the passes made of it. */
    public String trunkGraph() {
        return fallback == null ? trunkGraph : null;
    }
}
