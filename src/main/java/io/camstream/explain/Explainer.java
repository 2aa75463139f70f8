package io.camstream.explain;

import io.camstream.InvalidInputException;
import io.camstream.model.LayerCall;
import io.camstream.model.TorchModel;
import io.camstream.postprocess.CamPostprocessor;
import io.camstream.tensor.FloatTensor;
import org.bytedeco.javacpp.PointerScope;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs one {@link ExplanationMethod} at one or more layers of a model over batches: a forward through the rewritten
 * graph that also returns the layers' outputs ({@link ExplanationContext}), target selection from the logits, then
 * the method's maps (dispatched on its kind by {@link MapPipeline}: per-input CAM methods with one backward per
 * target rank, model-weighted CAMs, input-space methods), then post-processing. Options: several layers fused by
 * mean or max, {@code --aug-smooth}, {@code --eigen-smooth}, signed maps without ReLU.
 *
 * <p>Native tensors never outlive a call: everything libtorch allocates is freed by the call's {@code PointerScope}.
 */
public final class Explainer {
    /** Predictions reported per input (fewer when the model has fewer classes). */
    public static final int REPORTED_CLASSES = 5;

    private final TorchModel model;
    private final List<String> layers;
    private final ExplanationMethod method;
    private final CamPostprocessor postprocessor;
    private final Labels labels;
    private boolean relu = true;
    private Fusion fusion = Fusion.MEAN;
    private boolean augSmooth;
    private boolean eigenSmooth;
    private LayerCall call = LayerCall.FIRST;
    private TokenGrid tokens;

    public Explainer(TorchModel model, String layer, ExplanationMethod method, Labels labels) {
        this(model, List.of(layer), method, labels, CamPostprocessor.cpu());
    }

    public Explainer(TorchModel model, String layer, ExplanationMethod method, Labels labels, CamPostprocessor postprocessor) {
        this(model, List.of(layer), method, labels, postprocessor);
    }

    public Explainer(TorchModel model, List<String> layers, ExplanationMethod method, Labels labels) {
        this(model, layers, method, labels, CamPostprocessor.cpu());
    }

    /**
     * @param layers module paths; fused when more than one. Methods that use no layer ({@link ExplanationMethod#usesLayers()}
     *               false) ignore them, and may get an empty list.
     */
    public Explainer(TorchModel model, List<String> layers, ExplanationMethod method, Labels labels, CamPostprocessor postprocessor) {
        List<String> distinct = new ArrayList<>();
        for (String l : layers) {
            model.requireLayer(l);
            if (!distinct.contains(l)) distinct.add(l);
        }
        if (distinct.isEmpty() && method.usesLayers()) {
            throw new InvalidInputException(method.name() + " needs a layer: pass --layer (see `camstream layers`)");
        }
        this.model = model;
        this.layers = List.copyOf(distinct);
        this.method = method;
        this.labels = labels;
        this.postprocessor = postprocessor;
    }

    /** Keep signed maps (no ReLU); normalisation then spans the signed range. */
    public Explainer keepSignedMaps() {
        this.relu = false;
        return this;
    }

    /** How several layers' maps are combined (default mean, as pytorch-grad-cam). */
    public Explainer fuse(Fusion fusion) {
        this.fusion = fusion;
        return this;
    }

    /** Which call of a layer that forward() calls more than once to capture (default: the first, as pytorch-grad-cam). */
    public Explainer atCall(LayerCall call) {
        this.call = call;
        return this;
    }

    /** Turn token outputs (N, T, C) of the layers into (N, C, h, w) maps ({@link TokenGrid}); null: refuse them. */
    public Explainer reshapeTokens(TokenGrid tokens) {
        this.tokens = tokens;
        return this;
    }

    /** Average over horizontal flips and intensity factors 0.9, 1, 1.1 ({@link AugmentationSmoothing}). */
    public Explainer smoothOverAugmentations() {
        this.augSmooth = true;
        return this;
    }

    /** Replace each map by the first principal component of its per-channel terms ({@link EigenProjection}). */
    public Explainer smoothByEigenProjection() {
        this.eigenSmooth = true;
        return this;
    }

    /** The first (or only) layer; null for a method that uses none and was given none. */
    public String layer() {
        return layers.isEmpty() ? null : layers.get(0);
    }

    public List<String> layers() {
        return layers;
    }

    public ExplanationMethod method() {
        return method;
    }

    /** Heatmaps at the input's own resolution. */
    public ExplanationBatch explain(FloatTensor input, Targets targets) {
        checkInput(input);
        return explain(input, targets, input.dim(2), input.dim(3));
    }

    public ExplanationBatch explain(FloatTensor input, Targets targets, int outH, int outW) {
        checkInput(input);
        if (outH < 1 || outW < 1) throw new InvalidInputException("output size must be positive, got " + outH + "x" + outW);
        int n = input.dim(0);
        MapPipeline pipeline = new MapPipeline(postprocessor, relu, fusion, eigenSmooth);
        try (PointerScope scope = new PointerScope()) {
            ExplanationContext ctx = ExplanationContext.run(model, layers, call, tokens, method, input,
                    logits -> targets.resolve(logits.data(), n, logits.dim(1)));
            CamPostprocessor.Maps out;
            if (augSmooth) {
                Target[][] resolved = ctx.targets();
                out = AugmentationSmoothing.average(input, augmented -> {
                    try (PointerScope inner = new PointerScope()) {
                        ExplanationContext c = ExplanationContext.run(model, layers, call, tokens, method, augmented, logits -> resolved);
                        return pipeline.maps(method, c, outH, outW);
                    }
                });
            } else {
                out = pipeline.maps(method, ctx, outH, outW);
            }
            return assemble(out, ctx);
        }
    }

    private ExplanationBatch assemble(CamPostprocessor.Maps out, ExplanationContext ctx) {
        Target[][] targets = ctx.targets();
        FloatTensor logits = ctx.logits();
        int n = targets.length;
        int numClasses = logits.dim(1);
        int maps = ctx.mapCount();
        int[] inputIndex = new int[maps];
        int[] targetClass = new int[maps];
        double[] targetProb = new double[maps];
        Target[] mapTargets = new Target[maps];
        double[] scores = new double[maps];
        List<List<Prediction>> predictions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] p = Ranking.softmax(logits.data(), i * numClasses, numClasses);
            int[] top = Ranking.topK(logits.data(), i * numClasses, numClasses, Math.min(REPORTED_CLASSES, numClasses));
            List<Prediction> preds = new ArrayList<>();
            for (int c : top) preds.add(new Prediction(c, labels.of(c), p[c]));
            predictions.add(List.copyOf(preds));
            for (int r = 0; r < targets[i].length; r++) {
                int m = ctx.firstMap(i) + r;
                Target t = targets[i][r];
                inputIndex[m] = i;
                mapTargets[m] = t;
                targetClass[m] = t.primaryClass();
                targetProb[m] = p[t.primaryClass()];
                scores[m] = t.value(logits.data(), i * numClasses, numClasses);
            }
        }
        return new ExplanationBatch(out.cams(), out.heatmaps(), inputIndex, targetClass, targetProb, List.copyOf(predictions), logits, mapTargets, scores);
    }

    private static void checkInput(FloatTensor input) {
        if (input.rank() != 4) {
            throw new InvalidInputException("expected an (N, C, H, W) input tensor, got shape " + Arrays.toString(input.shape()));
        }
        if (input.dim(0) < 1) throw new InvalidInputException("empty batch: no inputs to explain");
    }
}
