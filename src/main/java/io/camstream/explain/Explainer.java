package io.camstream.explain;

import io.camstream.InvalidInputException;
import io.camstream.model.LayerCapture;
import io.camstream.model.LayerCatalog;
import io.camstream.model.Tensors;
import io.camstream.model.TorchModel;
import io.camstream.postprocess.CamPostprocessor;
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

/**
 * Runs one {@link CamMethod} at one layer of a model over batches: a forward through the rewritten graph that also
 * returns the layer's output, target selection from the logits, one backward per target rank (only what follows
 * the layer is recorded), the method's map per input and target, then post-processing.
 *
 * <p>Native tensors never outlive a call: everything libtorch allocates is freed by the call's {@code PointerScope}.
 */
public final class Explainer {
    /** Predictions reported per input (fewer when the model has fewer classes). */
    public static final int REPORTED_CLASSES = 5;

    private final TorchModel model;
    private final String layer;
    private final CamMethod method;
    private final CamPostprocessor postprocessor;
    private final Labels labels;
    private boolean relu = true;

    public Explainer(TorchModel model, String layer, CamMethod method, Labels labels) {
        this(model, layer, method, labels, CamPostprocessor.cpu());
    }

    public Explainer(TorchModel model, String layer, CamMethod method, Labels labels, CamPostprocessor postprocessor) {
        model.requireLayer(layer);
        this.model = model;
        this.layer = layer;
        this.method = method;
        this.labels = labels;
        this.postprocessor = postprocessor;
    }

    /** Keep signed maps (no ReLU); normalisation then spans the signed range. */
    public Explainer withoutRelu() {
        this.relu = false;
        return this;
    }

    public String layer() {
        return layer;
    }

    public CamMethod method() {
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
        try (PointerScope scope = new PointerScope()) {
            LayerCapture capture = model.capture(List.of(layer), method.usesGradients());
            Tensor x = model.toModelInput(input);
            LayerCapture.Result forward;
            if (method.usesGradients()) {
                forward = capture.run(x);
            } else {
                try (NoGradGuard noGrad = new NoGradGuard()) {
                    forward = capture.run(x);
                }
            }
            Tensor logitsTensor = forward.output();
            if (logitsTensor.dim() != 2 || logitsTensor.sizes().get(0) != n) {
                throw new InvalidInputException("expected the model to return (N, classes) logits for N=" + n + ", got shape "
                        + Arrays.toString(Tensors.shape(logitsTensor)));
            }
            FloatTensor logits = Tensors.toJava(logitsTensor);
            int numClasses = logits.dim(1);
            Tensor act = forward.activations().get(0);
            if (act == null || act.dim() != 4) {
                throw nonSpatial(act == null ? "a non-tensor value" : "shape " + Arrays.toString(Tensors.shape(act)), input);
            }
            int[][] classes = targets.resolve(logits.data(), n, numClasses);
            int[] firstMap = new int[n + 1];
            int ranks = 0;
            for (int i = 0; i < n; i++) {
                firstMap[i + 1] = firstMap[i] + classes[i].length;
                ranks = Math.max(ranks, classes[i].length);
            }
            // GPU path (issue 4): supported methods on CUDA tensors never copy activations or gradients to the host
            if (CudaCams.handles(method, act, postprocessor)) {
                return assemble(CudaCams.run(method, logitsTensor, act, classes, firstMap, ranks, outH, outW, relu), classes, firstMap, logits);
            }
            FloatTensor a = Tensors.toJava(act);
            int channels = a.dim(1);
            int h = a.dim(2);
            int w = a.dim(3);
            int maps = firstMap[n];
            float[] raw = new float[maps * h * w];
            float[] map = new float[h * w];
            for (int r = 0; r < ranks; r++) {
                float[] g = method.usesGradients() ? gradientForRank(logitsTensor, act, classes, r, numClasses, r < ranks - 1) : null;
                for (int i = 0; i < n; i++) {
                    if (classes[i].length <= r) continue;
                    method.computeMap(a.data(), g, i * channels * h * w, channels, h, w, map);
                    System.arraycopy(map, 0, raw, (firstMap[i] + r) * h * w, h * w);
                }
            }
            CamPostprocessor.Maps out = postprocessor.process(new FloatTensor(raw, maps, h, w), outH, outW, relu);
            return assemble(out, classes, firstMap, logits);
        }
    }

    /** d(sum over inputs of logit[i, classes[i][rank]]) / d(activation), as a Java array. */
    private static float[] gradientForRank(Tensor logits, Tensor act, int[][] classes, int rank, int numClasses, boolean retain) {
        return Tensors.toJava(gradient(logits, act, classes, rank, numClasses, retain)).data();
    }

    /** d(sum over inputs of logit[i, classes[i][rank]]) / d(activation), on the activation's device. */
    static Tensor gradient(Tensor logits, Tensor act, int[][] classes, int rank, int numClasses, boolean retain) {
        int n = classes.length;
        float[] selector = new float[n * numClasses];
        for (int i = 0; i < n; i++) {
            if (classes[i].length > rank) selector[i * numClasses + classes[i][rank]] = 1f;
        }
        Tensor sel = Tensors.toTorch(new FloatTensor(selector, n, numClasses)).to(logits.device(), logits.scalar_type());
        Tensor score = logits.mul(sel).sum();
        TensorVector grads = torch.grad(new TensorVector(score), new TensorVector(act), new TensorVector(), new BoolOptional(retain), false, false);
        return grads.get(0);
    }

    private ExplanationBatch assemble(CamPostprocessor.Maps out, int[][] classes, int[] firstMap, FloatTensor logits) {
        int n = classes.length;
        int numClasses = logits.dim(1);
        int maps = firstMap[n];
        int[] inputIndex = new int[maps];
        int[] targetClass = new int[maps];
        double[] targetProb = new double[maps];
        List<List<Prediction>> predictions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] p = Ranking.softmax(logits.data(), i * numClasses, numClasses);
            int[] top = Ranking.topK(logits.data(), i * numClasses, numClasses, Math.min(REPORTED_CLASSES, numClasses));
            List<Prediction> preds = new ArrayList<>();
            for (int c : top) preds.add(new Prediction(c, labels.of(c), p[c]));
            predictions.add(List.copyOf(preds));
            for (int r = 0; r < classes[i].length; r++) {
                int m = firstMap[i] + r;
                inputIndex[m] = i;
                targetClass[m] = classes[i][r];
                targetProb[m] = p[classes[i][r]];
            }
        }
        return new ExplanationBatch(out.cams(), out.heatmaps(), inputIndex, targetClass, targetProb, List.copyOf(predictions), logits);
    }

    private static void checkInput(FloatTensor input) {
        if (input.rank() != 4) {
            throw new InvalidInputException("expected an (N, C, H, W) input tensor, got shape " + Arrays.toString(input.shape()));
        }
        if (input.dim(0) < 1) throw new InvalidInputException("empty batch: no inputs to explain");
    }

    private NonSpatialLayerException nonSpatial(String what, FloatTensor input) {
        String hint;
        try {
            hint = "; try --layer " + LayerCatalog.of(model, input.dim(1), input.dim(2), input.dim(3)).defaultLayer() + " (see `camstream layers`)";
        } catch (RuntimeException e) {
            hint = "; see `camstream layers` for layers with (N,C,h,w) outputs";
        }
        return new NonSpatialLayerException("layer '" + layer + "' outputs " + what + ", which has no (h, w) grid to map" + hint);
    }
}
