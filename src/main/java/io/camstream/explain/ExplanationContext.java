package io.camstream.explain;

import io.camstream.model.CapturedPass;
import io.camstream.model.LayerCall;
import io.camstream.model.LayerCatalog;
import io.camstream.model.ScoreWeights;
import io.camstream.model.TorchModel;
import io.camstream.tensor.FloatTensor;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * What every method sees of one batch, read-only: the input, the logits, the explained score functions and (for
 * layer methods) the captured activations and the gradients of each target score with respect to them, which the
 * batch's {@link CapturedPass} computes once, on the model's device.
 *
 * <p>Maps are input-major: map {@code m} belongs to input {@link #inputOf(int)} and explains
 * {@link #target(int)}, the {@link #rankOf(int)}-th target of that input. Lives inside the explain call's
 * {@code PointerScope}; its native tensors die with it.
 */
public final class ExplanationContext {
    private final TorchModel model;
    private final FloatTensor input;
    private final CapturedPass pass;
    private final TokenGrid tokens;
    private final Target[][] targets;
    private final List<ScoreWeights> scores;
    private final int[] firstMap;
    private final int[] inputOf;
    private final int[] rankOf;
    private final int ranks;

    private ExplanationContext(TorchModel model, FloatTensor input, CapturedPass pass, TokenGrid tokens, Target[][] targets) {
        this.model = model;
        this.input = input;
        this.pass = pass;
        this.tokens = tokens;
        this.targets = targets;
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
        scores = TargetScore.perRank(targets, ranks, pass.logits().dim(1));
    }

    /**
     * Runs the forward for {@code method}: through the layer capture when it uses layers (recording autograd after
     * the first layer when it uses gradients), else the plain forward; then picks the targets.
     *
     * @param pickTargets from (N, K) logits to per-input score functions
     */
    static ExplanationContext run(TorchModel model, List<String> layers, LayerCall call, TokenGrid tokens, ExplanationMethod method, FloatTensor input,
                                  Function<FloatTensor, Target[][]> pickTargets) {
        List<String> used = method.usesLayers() ? layers : List.of();
        CapturedPass pass = CapturedPass.run(model, used, call, method.usesGradients(), input);
        for (int l = 0; l < used.size(); l++) {
            int[] shape = pass.activationShape(l);
            if (shape != null && shape.length == 3 && tokens != null) {
                tokens.gridFor(shape[1], used.get(l)); // fails early when the tokens do not fill the grid
            } else if (shape == null || shape.length != 4) {
                throw nonSpatial(model, used.get(l), shape == null ? "a non-tensor value" : "shape " + Arrays.toString(shape), input);
            }
        }
        return new ExplanationContext(model, input, pass, tokens, pickTargets.apply(pass.logits()));
    }

    public TorchModel model() {
        return model;
    }

    /** The (N, C, H, W) batch being explained. */
    public FloatTensor input() {
        return input;
    }

    /** (N, classes) logits of the batch. */
    public FloatTensor logits() {
        return pass.logits();
    }

    public int numClasses() {
        return pass.logits().dim(1);
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
        return pass.layers();
    }

    /** (N, C, h, w) activations of layer {@code l}, on the host (copied on first use: the device path never asks). */
    public FloatTensor activations(int l) {
        return pass.activations(l, grid(l));
    }

    /**
     * d(sum over inputs of score_i(outputs[i]) for targets[i][rank]) / d(activations of layer l), (N, C, h, w), on the
     * host; inputs with fewer targets than {@code rank + 1} get zeros.
     */
    public FloatTensor gradients(int l, int rank) {
        return pass.gradients(scores, l, rank, grid(l));
    }

    /** The batch's forward and backward passes, for computing maps where they live. */
    CapturedPass pass() {
        return pass;
    }

    /** Each target rank's score, in rank order. */
    List<ScoreWeights> scores() {
        return scores;
    }

    private int[] grid(int l) {
        int[] shape = pass.activationShape(l);
        return shape.length == 3 && tokens != null ? tokens.gridFor(shape[1], pass.layers().get(l)) : null;
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
