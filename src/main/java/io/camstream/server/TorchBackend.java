package io.camstream.server;

import io.camstream.explain.Explainer;
import io.camstream.explain.ExplanationBatch;
import io.camstream.explain.Labels;
import io.camstream.explain.Methods;
import io.camstream.explain.Targets;
import io.camstream.model.ExecutionDevice;
import io.camstream.model.LayerCatalog;
import io.camstream.model.TorchModel;
import io.camstream.tensor.FloatTensor;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The engine behind the server: one TorchScript model, one layer, an {@link Explainer} per method. */
public final class TorchBackend implements InferenceBackend {
    private final TorchModel model;
    private final Labels labels;
    private final ModelInfo info;
    private final Map<String, Explainer> explainers = new HashMap<>();

    private TorchBackend(TorchModel model, Labels labels, ModelInfo info) {
        this.model = model;
        this.labels = labels;
        this.info = info;
    }

    /**
     * Loads the model and runs every method once on zeros: that finds the class count, builds the capture graphs
     * and warms libtorch up before the first client arrives.
     *
     * @param device where the model runs (the batcher thread drives it there)
     * @param layer  null for the model's default layer (the last spatial one)
     */
    public static TorchBackend load(Path modelPath, ExecutionDevice device, String layer, int inputHeight, int inputWidth, Labels labels) {
        return load(modelPath, device, true, layer, inputHeight, inputWidth, labels);
    }

    /** @param optimise run the trunk before the layer frozen and inference-optimised (see {@link TorchModel#load(Path, ExecutionDevice, boolean)}) */
    public static TorchBackend load(Path modelPath, ExecutionDevice device, boolean optimise, String layer, int inputHeight, int inputWidth, Labels labels) {
        TorchModel model = TorchModel.load(modelPath, device, optimise);
        try {
            String chosen = layer != null ? layer : LayerCatalog.of(model, 3, inputHeight, inputWidth).defaultLayer();
            model.requireLayer(chosen);
            TorchBackend probe = new TorchBackend(model, labels, new ModelInfo(inputHeight, inputWidth, 0, chosen, Methods.names()));
            FloatTensor zeros = FloatTensor.zeros(1, 3, inputHeight, inputWidth);
            int classes = 0;
            for (String m : Methods.names()) classes = probe.explain(m, Targets.top1(), zeros).logits().dim(1);
            TorchBackend backend = new TorchBackend(model, labels, new ModelInfo(inputHeight, inputWidth, classes, chosen, Methods.names()));
            backend.explainers.putAll(probe.explainers);
            return backend;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public ExplanationBatch explain(String method, Targets targets, FloatTensor input) {
        Explainer e = explainers.computeIfAbsent(method, m -> new Explainer(model, info.layer(), Methods.byName(m), labels));
        return e.explain(input, targets, info.inputHeight(), info.inputWidth());
    }

    @Override
    public void close() {
        model.close();
    }
}
