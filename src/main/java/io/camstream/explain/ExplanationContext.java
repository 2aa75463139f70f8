package io.camstream.explain;

import io.camstream.CamstreamException;
import io.camstream.InvalidInputException;
import io.camstream.model.ActivationCapture;
import io.camstream.model.LayerCapture;
import io.camstream.model.LayerCall;
import io.camstream.model.LayerCatalog;
import io.camstream.model.Tensors;
import io.camstream.model.TokenMaps;
import io.camstream.model.TorchModel;
import io.camstream.tensor.FloatTensor;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * One batch's shared pass, as every method sees it: the input, the logits, the explained classes, and (for layer
 * methods) the captured activations and, on demand, the gradients of each target score with respect to them.
 *
 * <p>Maps are input-major: map {@code m} belongs to input {@link #inputOf(int)} and explains class
 * {@link #target(int)}, the {@link #rankOf(int)}-th target of that input. Lives inside the explain call's
 * {@code PointerScope}; its native tensors die with it.
 */
public final class ExplanationContext {
    private final TorchModel model;
    private final MapPipeline pipeline;
    private final FloatTensor input;
    private final Tensor inputTensor;
    private final Tensor logitsTensor;
    private final FloatTensor logits;
    private final Target[][] targets;
    private final int[] firstMap;
    private final int[] inputOf;
    private final int[] rankOf;
    private final int ranks;
    private final List<String> layers;
    private final List<Tensor> activationTensors;
    private final TokenGrid tokens;
    private final List<FloatTensor> activations;
    private List<List<FloatTensor>> gradients;

    private ExplanationContext(TorchModel model, MapPipeline pipeline, FloatTensor input, Tensor inputTensor, Tensor logitsTensor,
                               Target[][] targets, List<String> layers, List<Tensor> activationTensors, TokenGrid tokens) {
        this.tokens = tokens;
        this.model = model;
        this.pipeline = pipeline;
        this.input = input;
        this.inputTensor = inputTensor;
        this.logitsTensor = logitsTensor;
        this.logits = Tensors.toJava(logitsTensor);
        this.targets = targets;
        this.layers = layers;
        this.activationTensors = activationTensors;
        this.activations = new ArrayList<>(java.util.Collections.nCopies(activationTensors.size(), (FloatTensor) null));
        int n = targets.length;
        firstMap = new int[n + 1];
        int r = 0;
        for (int i = 0; i < n; i++) {
            firstMap[i + 1] = firstMap[i] + targets[i].length;
            r = Math.max(r, targets[i].length);
        }
        ranks = r;
        inputOf = new int[firstMap[n]];
        rankOf = new int[firstMap[n]];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < targets[i].length; k++) {
                inputOf[firstMap[i] + k] = i;
                rankOf[firstMap[i] + k] = k;
            }
        }
    }

    /**
     * Runs the forward for {@code method}: through the layer capture when it uses layers (recording autograd after
     * the first layer when it uses gradients), else the plain forward; then picks the classes.
     *
     * @param pickTargets from (N, K) logits to per-input score functions
     */
    static ExplanationContext run(TorchModel model, MapPipeline pipeline, List<String> layers, LayerCall call, TokenGrid tokens, ExplanationMethod method, FloatTensor input,
                                  Function<FloatTensor, Target[][]> pickTargets) {
        int n = input.dim(0);
        Tensor x = model.toModelInput(input);
        Tensor logits;
        List<Tensor> acts = new ArrayList<>();
        List<String> used = method.usesLayers() ? layers : List.of();
        if (used.isEmpty()) {
            logits = model.inferenceForward(x);
        } else {
            ActivationCapture capture = model.capture(used, method.usesGradients(), call);
            LayerCapture.Result forward;
            if (method.usesGradients()) {
                forward = capture.run(x);
            } else {
                try (NoGradGuard noGrad = new NoGradGuard()) {
                    forward = capture.run(x);
                }
            }
            logits = forward.output();
            acts.addAll(forward.activations());
        }
        if (logits.dim() != 2 || logits.sizes().get(0) != n) {
            throw new InvalidInputException("expected the model to return (N, classes) logits for N=" + n + ", got shape "
                    + Arrays.toString(Tensors.shape(logits)));
        }
        for (int l = 0; l < acts.size(); l++) {
            Tensor a = acts.get(l);
            if (a != null && a.dim() == 3 && tokens != null) {
                tokens.gridFor(a.size(1), used.get(l)); // fails early when the tokens do not fill the grid
            } else if (a == null || a.dim() != 4) {
                throw nonSpatial(model, used.get(l), a == null ? "a non-tensor value" : "shape " + Arrays.toString(Tensors.shape(a)), input);
            }
        }
        FloatTensor javaLogits = Tensors.toJava(logits);
        Target[][] targets = pickTargets.apply(javaLogits);
        return new ExplanationContext(model, pipeline, input, x, logits, targets, used, acts, tokens);
    }

    public TorchModel model() {
        return model;
    }

    /** The (N, C, H, W) batch being explained. */
    public FloatTensor input() {
        return input;
    }

    /** The batch as a libtorch tensor (valid during the call). */
    public Tensor inputTensor() {
        return inputTensor;
    }

    /** (N, classes) logits of the batch. */
    public FloatTensor logits() {
        return logits;
    }

    public int numClasses() {
        return logits.dim(1);
    }

    /** Per input, the score functions it is explained for, best first. */
    public Target[][] targets() {
        return targets;
    }

    public int mapCount() {
        return inputOf.length;
    }

    public int inputOf(int map) {
        return inputOf[map];
    }

    public int rankOf(int map) {
        return rankOf[map];
    }

    /** The score function map {@code map} explains. */
    public Target target(int map) {
        return targets[inputOf[map]][rankOf[map]];
    }

    /** Index of input {@code i}'s first map; {@code firstMap(n)} is the number of maps. */
    public int firstMap(int i) {
        return firstMap[i];
    }

    /** The most targets any input has. */
    public int ranks() {
        return ranks;
    }

    /** The captured layers (empty for methods that use none). */
    public List<String> layers() {
        return layers;
    }

    /** (N, C, h, w) activations of layer {@code l}. */
    public FloatTensor activations(int l) {
        // copied to the host on first use: the CUDA path never asks
        if (activations.get(l) == null) activations.set(l, Tensors.toJava(asMap(activationTensors.get(l), l)));
        return activations.get(l);
    }

    /** A token layer's (N, T, C) tensor (activation or gradient) as (N, C, h, w); a 4-D tensor as is. */
    private Tensor asMap(Tensor t, int l) {
        if (t.dim() == 4 || tokens == null) return t;
        int[] g = tokens.gridFor(t.size(1), layers.get(l));
        return TokenMaps.toMap(t, g[0], g[1], g[2]);
    }

    /** The captured activations of layer {@code l} as libtorch holds them (on the model's device; tokens not reshaped). */
    Tensor activationTensor(int l) {
        return activationTensors.get(l);
    }

    Tensor logitsTensor() {
        return logitsTensor;
    }

    /** Each input's first map index, and the map count last (n + 1 entries). */
    int[] firstMaps() {
        return firstMap.clone();
    }

    /**
     * d(sum over inputs of score_i(outputs[i]) for targets[i][rank]) / d(activations of layer l), (N, C, h, w); inputs with fewer
     * targets than {@code rank + 1} get zeros. One backward per rank, for all layers at once, on first use.
     */
    public FloatTensor gradients(int l, int rank) {
        if (gradients == null) gradients = backward();
        return gradients.get(rank).get(l);
    }

    private List<List<FloatTensor>> backward() {
        if (activationTensors.isEmpty()) throw new IllegalStateException("no layer captured: the method declared usesGradients() but no layer");
        List<List<FloatTensor>> all = new ArrayList<>();
        for (int r = 0; r < ranks; r++) {
            Tensor score = TargetScore.of(logitsTensor, targets, r);
            TensorVector grads;
            try {
                grads = torch.grad(new TensorVector(score), new TensorVector(activationTensors.toArray(new Tensor[0])), new TensorVector(),
                        new BoolOptional(r < ranks - 1), false, false);
            } catch (RuntimeException e) {
                throw new CamstreamException("cannot back-propagate to layers " + layers + ": every layer after the first must lie downstream of it "
                        + "on the way to the output (" + LayerCapture.firstLine(e.getMessage()) + ")", e);
            }
            List<FloatTensor> perLayer = new ArrayList<>();
            for (int l = 0; l < activationTensors.size(); l++) perLayer.add(Tensors.toJava(asMap(grads.get(l), l)));
            all.add(perLayer);
        }
        return all;
    }

    /**
     * Plain forwards (no autograd) of {@code batch}, in chunks of {@code chunk} inputs, each in its own native scope.
     *
     * @return (B, classes) logits
     */
    public FloatTensor forwardLogits(FloatTensor batch, int chunk) {
        int b = batch.dim(0);
        List<FloatTensor> parts = new ArrayList<>();
        for (int from = 0; from < b; from += chunk) {
            int to = Math.min(b, from + chunk);
            try (PointerScope scope = new PointerScope()) {
                parts.add(Tensors.toJava(model.inferenceForward(model.toModelInput(from == 0 && to == b ? batch : batch.rows(from, to)))));
            }
        }
        return FloatTensor.concat(parts);
    }

    /**
     * Heatmaps in [0, 1] at {@code h x w} of a layer method at this context's layers (fused as configured), for the
     * same targets: what guided Grad-CAM multiplies with.
     */
    public FloatTensor layerHeatmaps(ExplanationMethod method, int h, int w) {
        return pipeline.layerMaps(method, this, h, w).heatmaps();
    }

    /** Input tensor that requires grad and shares nothing with {@link #inputTensor()}. */
    Tensor freshInputLeaf() {
        return inputTensor.detach().clone().requires_grad_(true);
    }

    private static NonSpatialLayerException nonSpatial(TorchModel model, String layer, String what, FloatTensor input) {
        String hint;
        try {
            hint = "; try --layer " + LayerCatalog.of(model, input.dim(1), input.dim(2), input.dim(3)).defaultLayer() + " (see `camstream layers`)";
        } catch (RuntimeException e) {
            hint = "; see `camstream layers` for layers with (N,C,h,w) outputs";
        }
        if (what.startsWith("shape [") && what.split(",").length == 3) {
            hint = "; for a transformer's (N, tokens, C) output add --reshape tokens (square grid, class token dropped) or --reshape HxW" + hint;
        }
        return new NonSpatialLayerException("layer '" + layer + "' outputs " + what + ", which has no (h, w) grid to map" + hint);
    }
}
