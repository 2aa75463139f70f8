package io.camstream.model;

import io.camstream.CamstreamException;
import io.camstream.InvalidInputException;
import io.camstream.tensor.FloatTensor;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * One batch's forward through the layer capture, with the batch's backward passes: the single place where a
 * target's gradient is computed. Activations and gradients stay where the model runs; host copies are made only
 * when asked for, once. Lives inside the caller's {@code PointerScope}: its native tensors die with it.
 */
public final class CapturedPass {
    private final List<String> layers;
    private final Tensor logitsTensor;
    private final FloatTensor logits;
    private final List<Tensor> activations;
    private final boolean recordsGradients;
    private List<List<Tensor>> gradients;
    /** Set once {@link #forEachRankGradients} ran the backward passes without keeping them. */
    private boolean gradientsReleased;
    // host copies, made once: a method reads them once per map
    private final FloatTensor[] hostActivations;
    private final Map<Integer, FloatTensor> hostGradients = new HashMap<>();

    private CapturedPass(List<String> layers, Tensor logitsTensor, List<Tensor> activations, boolean recordsGradients) {
        this.layers = layers;
        this.logitsTensor = logitsTensor;
        this.logits = Tensors.toJava(logitsTensor);
        this.activations = activations;
        this.recordsGradients = recordsGradients;
        this.hostActivations = new FloatTensor[activations.size()];
    }

    /**
     * The forward of {@code input}: through the capture of {@code layers} (recording autograd after the first layer
     * when {@code gradients}), or the plain inference forward when there are no layers.
     *
     * @throws InvalidInputException when the model does not return (N, classes) logits
     */
    public static CapturedPass run(TorchModel model, List<String> layers, LayerCall call, boolean gradients, FloatTensor input) {
        int n = input.dim(0);
        Tensor x = model.toModelInput(input);
        Tensor logits;
        List<Tensor> acts = new ArrayList<>();
        if (layers.isEmpty()) {
            logits = model.inferenceForward(x);
        } else {
            ActivationCapture capture = model.capture(layers, gradients, call);
            LayerCapture.Result forward;
            if (gradients) {
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
        return new CapturedPass(List.copyOf(layers), logits, acts, gradients && !layers.isEmpty());
    }

    /** (N, classes) logits, on the host. */
    public FloatTensor logits() {
        return logits;
    }

    public List<String> layers() {
        return layers;
    }

    /** The shape layer {@code l}'s output has, or null when it is not a tensor. */
    public int[] activationShape(int l) {
        Tensor a = activations.get(l);
        return a == null ? null : Tensors.shape(a);
    }

    /** Whether the captured activations live on a CUDA device. */
    public boolean onCuda() {
        return !activations.isEmpty() && activations.get(0) != null && activations.get(0).is_cuda();
    }

    /**
     * Layer {@code l}'s activations on the host as (N, C, h, w); a token layer's (N, T, C) laid on {@code grid}
     * ({@code {leading tokens dropped, h, w}}, null for a 4-D layer).
     */
    public FloatTensor activations(int l, int[] grid) {
        if (hostActivations[l] == null) hostActivations[l] = Tensors.toJava(asMap(activations.get(l), grid));
        return hostActivations[l];
    }

    /**
     * d(score of rank {@code rank}) / d(activations of layer {@code l}) on the host, laid out as {@link #activations}.
     * The backward passes run on first use, one per rank for all layers at once.
     *
     * @param perRank the score of each target rank, in rank order
     */
    public FloatTensor gradients(List<ScoreWeights> perRank, int l, int rank, int[] grid) {
        return hostGradients.computeIfAbsent(rank * activations.size() + l, key -> Tensors.toJava(asMap(gradientTensors(perRank).get(rank).get(l), grid)));
    }

    /**
     * Each rank's gradients (one per layer, where the model runs) handed to {@code use} in rank order, each rank's
     * released as soon as {@code use} returns: device memory holds one rank's gradients at a time, whatever the
     * top-k. Releasing after an asynchronous kernel launch is safe: libtorch's allocator reuses the memory only for
     * work queued after it on the same stream. Afterwards the gradients are gone ({@link #gradients} refuses).
     */
    public void forEachRankGradients(List<ScoreWeights> perRank, BiConsumer<Integer, List<Tensor>> use) {
        if (gradients != null) {
            for (int r = 0; r < gradients.size(); r++) use.accept(r, gradients.get(r));
            return;
        }
        requireGradients();
        gradientsReleased = true;
        for (int r = 0; r < perRank.size(); r++) {
            try (PointerScope rankScope = new PointerScope()) {
                use.accept(r, backward(perRank, r));
            }
        }
    }

    /** Layer {@code l}'s output as libtorch holds it (for device kernels). */
    public Tensor activationTensor(int l) {
        return activations.get(l);
    }

    private List<List<Tensor>> gradientTensors(List<ScoreWeights> perRank) {
        if (gradients != null) return gradients;
        requireGradients();
        if (gradientsReleased) throw new IllegalStateException("this pass's gradients were handed out rank by rank and released");
        List<List<Tensor>> all = new ArrayList<>();
        for (int r = 0; r < perRank.size(); r++) all.add(backward(perRank, r));
        gradients = all;
        return all;
    }

    private void requireGradients() {
        if (!recordsGradients) throw new IllegalStateException("this pass recorded no autograd: the method declared usesGradients() false or no layer");
    }

    /** Rank {@code r}'s backward, for all layers at once; the graph is kept for the ranks after it. */
    private List<Tensor> backward(List<ScoreWeights> perRank, int r) {
        TensorVector grads;
        try {
            grads = torch.grad(new TensorVector(perRank.get(r).of(logitsTensor)), new TensorVector(activations.toArray(new Tensor[0])), new TensorVector(),
                    new BoolOptional(r < perRank.size() - 1), false, false);
        } catch (RuntimeException e) {
            throw new CamstreamException("cannot back-propagate to layers " + layers + ": every layer after the first must lie downstream of it "
                    + "on the way to the output (" + LayerCapture.firstLine(e.getMessage()) + ")", e);
        }
        List<Tensor> perLayer = new ArrayList<>();
        for (int l = 0; l < activations.size(); l++) perLayer.add(grads.get(l));
        return perLayer;
    }

    private static Tensor asMap(Tensor t, int[] grid) {
        return t.dim() == 4 || grid == null ? t : TokenMaps.toMap(t, grid[0], grid[1], grid[2]);
    }
}
