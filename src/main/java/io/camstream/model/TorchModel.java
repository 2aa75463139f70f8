package io.camstream.model;

import io.camstream.InvalidInputException;
import io.camstream.tensor.FloatTensor;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.NamedJitModule;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A TorchScript image classifier loaded for explanation: eval mode, parameters frozen (no gradient is ever needed
 * for weights, only for activations), and the rewritten capture graphs cached per layer set.
 *
 * <p>Not thread-safe: one model is driven by one thread (the server's batcher owns it).
 */
public final class TorchModel implements AutoCloseable {
    private final Path path;
    private final JitModule module;
    private final List<String> modulePaths;
    private final Map<String, ActivationCapture> captures = new BoundedCache<>(MAX_CAPTURES);
    private final ExecutionDevice device;
    private final boolean optimise;
    private final OptimisedForward optimisedForward;
    private GuidedBackpropGraph guided;
    private final String outputType;
    private final List<String> outputFields;
    private ModelOutput output = ModelOutput.FIRST_TENSOR;
    /** Layer sets whose capture graphs stay built (each holds its own optimised trunk). */
    static final int MAX_CAPTURES = 8;

    private TorchModel(Path path, JitModule module, ExecutionDevice device, boolean optimise) {
        this.path = path;
        this.module = module;
        List<String> fields = new ArrayList<>();
        try (PointerScope scope = new PointerScope()) {
            org.bytedeco.pytorch.Type type = module.get_method(new org.bytedeco.javacpp.BytePointer("forward")).graph().outputs().get(0).type().get();
            this.outputType = type.str().getString();
            // JavaCPP enums: compare values, not instances; a named tuple's field names are in its TupleType
            if (type.kind().value == torch.TypeKind.TupleType.value) {
                var names = new org.bytedeco.pytorch.TupleType(type).names();
                if (names.has_value()) {
                    var v = names.get();
                    for (long i = 0; i < v.size(); i++) fields.add(v.get(i).getString());
                }
            }
        }
        this.outputFields = List.copyOf(fields);
        this.modulePaths = listModulePaths(module);
        this.device = device;
        this.optimise = optimise;
        this.optimisedForward = optimise ? new OptimisedForward(this) : null;
    }

    /** Loads the model for the CPU. */
    public static TorchModel load(Path path) {
        return load(path, ExecutionDevice.cpu());
    }

    /** Loads the model for {@code device}, with inference optimisation on. */
    public static TorchModel load(Path path, ExecutionDevice device) {
        return load(path, device, true);
    }

    /**
     * Loads the model for {@code device}. On CUDA the module is moved to the device, optionally converted to half
     * precision and its 4-D weights to channels_last, and cuDNN benchmark mode is set as asked.
     *
     * @param optimise run what needs no gradient (the trunk before the first captured layer, pure-inference forwards)
     *                 as frozen, inference-optimised graphs; false runs everything as the model's own graph
     * @throws io.camstream.CudaUnavailableException when CUDA is asked for and libtorch cannot use it (checked first)
     */
    public static TorchModel load(Path path, ExecutionDevice device, boolean optimise) {
        if (device.isCuda()) CudaDevices.require(device.index());
        if (!Files.exists(path)) throw new ModelLoadException("model file not found: " + path);
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) throw new ModelLoadException("model file is not a readable file: " + path);
        JitModule module;
        try {
            module = LongLived.keep(torch.load(path.toString()));
        } catch (RuntimeException e) {
            throw new ModelLoadException("cannot load " + path + " as a TorchScript model (save it with torch.jit.script(m).save(...) or torch.jit.trace): "
                    + LayerCapture.firstLine(e.getMessage()), e);
        }
        module.eval();
        freezeParameters(module);
        try {
            placeOn(module, device);
        } catch (RuntimeException e) {
            throw new ModelLoadException("cannot place " + path + " on " + device + ": " + LayerCapture.firstLine(e.getMessage()), e);
        }
        return new TorchModel(path, module, device, optimise);
    }

    private static void placeOn(JitModule module, ExecutionDevice device) {
        if (device.isCuda()) {
            torch.globalContext().setBenchmarkCuDNN(device.cudnnBenchmark());
            module.to(torchDevice(device), false);
            if (device.half()) module.to(torch.ScalarType.Half, false);
        }
        if (device.channelsLast()) {
            // what Python's model.to(memory_format=torch.channels_last) does: re-lay out every 4-D parameter in place
            try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
                var params = module.parameters(true);
                var it = params.begin();
                for (long i = 0, n = params.size(); i < n; i++, it.increment()) {
                    Tensor p = it.access();
                    if (p.dim() == 4) p.__dispatch_set_data(p.contiguous(torch.MemoryFormat.ChannelsLast));
                }
            }
        }
    }

    static Device torchDevice(ExecutionDevice device) {
        return device.isCuda() ? new Device(torch.DeviceType.CUDA, (byte) device.index()) : new Device(torch.DeviceType.CPU);
    }

    /** Where the model runs. */
    public ExecutionDevice device() {
        return device;
    }

    /**
     * The model's input for {@code input} (N, C, H, W): a CPU float tensor, or on CUDA a device tensor in the model's
     * precision and memory format, staged through pinned host memory and copied asynchronously on the current stream.
     * Call inside a {@code PointerScope}.
     */
    public Tensor toModelInput(FloatTensor input) {
        Tensor x = Tensors.toTorch(input);
        if (device.isCuda()) {
            // one host copy into pinned memory (libtorch's caching host allocator keeps the block until the copy ran),
            // then an asynchronous H2D copy that also converts dtype and memory format
            Tensor pinned = x.pin_memory();
            torch.MemoryFormat format = device.channelsLast() && input.rank() == 4 ? torch.MemoryFormat.ChannelsLast : torch.MemoryFormat.Contiguous;
            return pinned.to(torchDevice(device), device.half() ? torch.ScalarType.Half : torch.ScalarType.Float, true, false,
                    new MemoryFormatOptional(format));
        }
        if (device.channelsLast() && input.rank() == 4) x = x.contiguous(torch.MemoryFormat.ChannelsLast);
        return x;
    }

    private static void freezeParameters(JitModule module) {
        try (PointerScope scope = new PointerScope()) {
            var params = module.parameters(true);
            var it = params.begin();
            for (long i = 0, n = params.size(); i < n; i++, it.increment()) {
                it.access().requires_grad_(false);
            }
        }
    }

    private static List<String> listModulePaths(JitModule module) {
        List<String> paths = new ArrayList<>();
        try (PointerScope scope = new PointerScope()) {
            var list = module.named_modules();
            var it = list.begin();
            for (long i = 0, n = list.size(); i < n; i++, it.increment()) {
                NamedJitModule named = it.access();
                // the root comes first, with a null (empty) name
                var name = named.name();
                if (name != null && !name.getString().isEmpty()) paths.add(name.getString());
            }
        }
        return List.copyOf(paths);
    }

    JitModule module() {
        return module;
    }

    public Path path() {
        return path;
    }

    /** Every submodule path, in registration order (not all of them need be called by forward). */
    public List<String> modulePaths() {
        return modulePaths;
    }

    /** Which of the forward's outputs holds the logits (for models returning a tuple, named tuple, list or dict). */
    public TorchModel useOutput(ModelOutput output) {
        this.output = output;
        return this;
    }

    public ModelOutput output() {
        return output;
    }

    /** The forward's return type as TorchScript names it, e.g. {@code Tensor}, {@code (Tensor, Tensor)} or a named tuple's class. */
    public String outputType() {
        return outputType;
    }

    /** A named tuple output's field names, in order; empty for any other output. */
    public List<String> outputFields() {
        return outputFields;
    }

    /** The logits among the forward's outputs {@code out}, as {@link #useOutput} chose. */
    Tensor logitsOf(IValue out) {
        return output.pick(out, outputFields);
    }

    /** Plain forward without gradient tracking: the model's own graph. The caller owns the returned tensor's scope. */
    public Tensor forward(Tensor input) {
        try (NoGradGuard noGrad = new NoGradGuard()) {
            return forwardRecorded(input);
        }
    }

    /**
     * Forward without gradient tracking for pure inference (masked or perturbed copies): the frozen, optimised
     * forward where it applies, else {@link #forward}. Same logits within {@link ParityCheck#TOLERANCE} relative.
     */
    public Tensor inferenceForward(Tensor input) {
        return optimise ? optimisedForward.forward(input) : forward(input);
    }

    /**
     * Logits of plain inference forwards of {@code batch} (masked or perturbed copies), {@code chunk} inputs at a time,
     * each chunk in its own native scope: the forward of {@link #inferenceForward}.
     *
     * @return (B, classes) logits
     */
    public FloatTensor inferenceLogits(FloatTensor batch, int chunk) {
        int b = batch.dim(0);
        List<FloatTensor> parts = new ArrayList<>();
        for (int from = 0; from < b; from += chunk) {
            int to = Math.min(b, from + chunk);
            try (PointerScope scope = new PointerScope()) {
                parts.add(Tensors.toJava(inferenceForward(toModelInput(from == 0 && to == b ? batch : batch.rows(from, to)))));
            }
        }
        return FloatTensor.concat(parts);
    }

    /** Logits of the model's own forward (no optimisation, no gradients) of {@code batch}. */
    public FloatTensor logits(FloatTensor batch) {
        try (PointerScope scope = new PointerScope()) {
            return Tensors.toJava(forward(toModelInput(batch)));
        }
    }

    /**
     * The gradient of each target rank's score with respect to the input, through the guided-backpropagation graph
     * ({@link GuidedBackpropGraph}): one backward per rank, each (N, C, H, W) on the host.
     */
    public List<FloatTensor> guidedInputGradients(FloatTensor input, List<ScoreWeights> perRank) {
        try (PointerScope scope = new PointerScope()) {
            Tensor leaf = toModelInput(input).detach().clone().requires_grad_(true);
            Tensor logits = guidedBackprop().run(leaf);
            List<FloatTensor> out = new ArrayList<>();
            for (int r = 0; r < perRank.size(); r++) {
                TensorVector g = torch.grad(new TensorVector(perRank.get(r).of(logits)), new TensorVector(leaf), new TensorVector(),
                        new BoolOptional(r < perRank.size() - 1), false, false);
                out.add(Tensors.toJava(g.get(0)));
            }
            return out;
        }
    }

    /** An input gradient and the logits of the forward that gave it. */
    public record InputGradient(FloatTensor gradient, FloatTensor logits) {
    }

    /**
     * d(logit of {@code target}) / d(input), or d(log-softmax of it) when {@code logSoftmax}, through the model's own
     * forward with autograd recording (parameters stay frozen).
     */
    public InputGradient inputGradient(FloatTensor input, int target, boolean logSoftmax) {
        try (PointerScope scope = new PointerScope()) {
            Tensor leaf = toModelInput(input).requires_grad_(true);
            Tensor out = forwardRecorded(leaf);
            Tensor score = logSoftmax ? torch.log_softmax(out, 1).select(1, target).sum() : out.select(1, target).sum();
            TensorVector g = torch.grad(new TensorVector(score), new TensorVector(leaf), new TensorVector(), new BoolOptional(false), false, false);
            return new InputGradient(Tensors.toJava(g.get(0)), Tensors.toJava(out));
        }
    }

    /** Whether inference optimisation was asked for at load time. */
    public boolean optimises() {
        return optimise;
    }

    /**
     * The rewritten forward that also returns {@code layers}' outputs, built once per layer list.
     *
     * @param gradientLeaf record autograd only downstream of the first layer (for gradient methods)
     * @throws UnknownLayerException when a path is not a submodule
     */
    public ActivationCapture capture(List<String> layers, boolean gradientLeaf) {
        return capture(layers, gradientLeaf, LayerCall.FIRST);
    }

    /** As {@link #capture(List, boolean)}, each layer at call {@code call} of it (for modules forward calls more than once). */
    public ActivationCapture capture(List<String> layers, boolean gradientLeaf, LayerCall call) {
        for (String layer : layers) requireLayer(layer);
        String key = String.join(",", layers) + (gradientLeaf ? "#grad" : "#plain") + "@" + call + "@" + output;
        ActivationCapture c = captures.get(key);
        if (c == null) {
            LayerCapture whole = LayerCapture.build(module, layers, gradientLeaf, call, this::logitsOf);
            c = optimise ? OptimisedCapture.build(module, path.getFileName().toString(), layers, gradientLeaf, call, this::logitsOf, whole) : whole;
            captures.put(key, c);
        }
        return c;
    }

    /** The forward rewritten for guided backpropagation, built once. */
    public GuidedBackpropGraph guidedBackprop() {
        if (guided == null) guided = GuidedBackpropGraph.build(module, this::logitsOf);
        return guided;
    }

    /**
     * Forward with autograd recording (parameters stay frozen): for gradients with respect to an input that
     * requires grad. The caller owns the returned tensor's scope.
     */
    public Tensor forwardRecorded(Tensor input) {
        IValueVector args = new IValueVector();
        args.push_back(new IValue(input));
        IValue out;
        try {
            out = module.forward(args);
        } catch (RuntimeException e) {
            throw new InvalidInputException("the model rejected the input of shape " + LayerCapture.shapeOf(input) + ": " + LayerCapture.firstLine(e.getMessage()), e);
        }
        return logitsOf(out);
    }

    public void requireLayer(String layer) {
        if (!modulePaths.contains(layer)) throw new UnknownLayerException(layer, modulePaths);
    }

    /** The named submodule itself, e.g. to read a linear layer's weights. */
    public JitModule submodule(String path) {
        requireLayer(path);
        return LayerCapture.submodule(module, path);
    }

    @Override
    public void close() {
        captures.clear();
        if (optimisedForward != null) optimisedForward.close();
        guided = null;
        module.close();
    }
}
