package io.camstream.cli;

import io.camstream.InvalidInputException;
import io.camstream.explain.Labels;
import io.camstream.image.Preprocessing;
import io.camstream.model.ExecutionDevice;
import io.camstream.model.ModelConfig;
import io.camstream.model.ModelOutput;
import io.camstream.model.Threads;
import io.camstream.model.TorchModel;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Options every command that loads a model shares: the model, its config sidecar, labels, input size, threads. */
public final class ModelOptions {
    @Option(names = "--model", paramLabel = "FILE", description = "TorchScript model (torch.jit.script or torch.jit.trace output).")
    Path model;

    @Option(names = "--config", paramLabel = "JSON", description = "Model sidecar: {model, labels, input_size, mean, std, layer}; flags override it.")
    Path config;

    @Option(names = "--labels", paramLabel = "FILE", description = "Class names, one per line.")
    Path labels;

    @Option(names = "--size", paramLabel = "PX", description = "Network input size (square). Default: the config's, else 224.")
    Integer size;

    @Option(names = "--center-crop", description = "Resize the shorter side to size/0.875 and crop the centre, instead of resizing the whole image.")
    boolean centerCrop;

    @Option(names = "--mean", split = ",", paramLabel = "R,G,B", description = "Normalisation mean. Default: the config's, else ImageNet's.")
    float[] mean;

    @Option(names = "--std", split = ",", paramLabel = "R,G,B", description = "Normalisation std. Default: the config's, else ImageNet's.")
    float[] std;

    @Option(names = "--threads", paramLabel = "N", description = "CPU threads for libtorch. Default: all cores (${DEFAULT-VALUE}).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--device", paramLabel = "DEV", defaultValue = "cpu",
            description = "cpu (default), cuda or cuda:N. CUDA runs half precision, channels_last and cuDNN benchmark mode, "
                    + "and needs the GPU build (mvn -Pgpu), an NVIDIA driver and a GPU.")
    String deviceName;

    @Option(names = "--model-output", paramLabel = "NAME|INDEX",
            description = "For a model whose forward returns a tuple, named tuple, list or dict: the element holding the logits, by name "
                    + "(a named tuple's field, a dict's key) or 0-based index. Default: the first tensor (said aloud).")
    String modelOutput;

    @Option(names = "--no-optimize",
            description = "Explain/evaluate/serve/bench: run the model's own graph everywhere, without the frozen, inference-optimised "
                    + "trunk before the layer (for debugging and parity runs; maps agree within 1e-3 relative either way).")
    boolean noOptimize;

    private ModelConfig loaded;

    /** Loads the model on --device with the logits taken from --model-output, saying which when the forward returns several outputs. */
    TorchModel load() {
        TorchModel m = TorchModel.load(modelPath(), device(), optimize());
        try {
            m.useOutput(ModelOutput.parse(modelOutput));
            if (!m.outputType().equals("Tensor")) {
                String fields = m.outputFields().isEmpty() ? "" : " " + m.outputFields();
                System.err.println("camstream: the model's forward returns " + m.outputType() + fields + "; explaining " + m.output()
                        + (modelOutput == null ? " (choose another with --model-output)" : ""));
            }
            return m;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    boolean optimize() {
        return !noOptimize;
    }

    ExecutionDevice device() {
        return ExecutionDevice.parse(deviceName);
    }

    ModelConfig config() {
        if (loaded == null) loaded = config == null ? ModelConfig.EMPTY : ModelConfig.read(config);
        return loaded;
    }

    Path modelPath() {
        if (model != null) return model;
        if (config().modelPath() != null) return config().modelPath();
        throw new InvalidInputException("no model given: pass --model FILE (or --config JSON naming one)");
    }

    Labels labels() {
        Path p = labels != null ? labels : config().labelsPath();
        return p == null ? Labels.NONE : Labels.read(p);
    }

    Preprocessing preprocessing() {
        int s = size != null ? size : config().inputSize() != null ? config().inputSize() : 224;
        float[] m = mean != null ? mean : config().mean() != null ? config().mean() : Preprocessing.IMAGENET_MEAN;
        float[] sd = std != null ? std : config().std() != null ? config().std() : Preprocessing.IMAGENET_STD;
        return new Preprocessing(s, s, centerCrop, m, sd);
    }

    void applyThreads() {
        if (threads < 1) throw new InvalidInputException("--threads must be at least 1, got " + threads);
        Threads.set(threads);
    }
}
