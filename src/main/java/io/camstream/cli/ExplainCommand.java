package io.camstream.cli;

import io.camstream.explain.Explainer;
import io.camstream.explain.Labels;
import io.camstream.explain.Methods;
import io.camstream.image.OverlayRenderer;
import io.camstream.image.Preprocessing;
import io.camstream.model.TorchModel;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "explain", description = {"Explain images (or a .npy tensor) with any method, at one or more layers.",
        "cams.npy holds each map where it is computed: the layer's grid for CAM methods (several layers: their fusion at the finest grid), "
                + "the input's grid for occlusion, guided-backprop and guided-gradcam; heatmaps.npy holds them resized to the input and normalised to [0, 1]."},
        mixinStandardHelpOptions = true,
        sortOptions = false)
final class ExplainCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Mixin
    MethodOptions methodOptions;

    @Option(names = "--method", paramLabel = "NAME", defaultValue = "gradcam", description = "One of: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.",
            completionCandidates = MethodNames.class)
    String method;

    @Option(names = "--input", required = true, arity = "1..*", paramLabel = "PATH", description = "Image files, folders of images, or one float32 NCHW .npy tensor (fed as is).")
    List<Path> inputs;

    @Option(names = "--output", paramLabel = "DIR", defaultValue = "out", description = "Output folder. Default: ${DEFAULT-VALUE}.")
    Path output;

    @ArgGroup(exclusive = false)
    TargetOptions targets = new TargetOptions();

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "8",
            description = "Inputs per explain call, and masked/occluded copies per forward for scorecam and occlusion. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--colormap", paramLabel = "NAME", defaultValue = "jet", description = "jet, turbo, magma or viridis. Default: ${DEFAULT-VALUE}.")
    String colormap;

    @Option(names = "--alpha", paramLabel = "A", defaultValue = "0.5", description = "Overlay opacity in [0, 1]. Default: ${DEFAULT-VALUE}.")
    double alpha;

    @Option(names = "--panel", description = "Also write 'original | overlay' panels titled 'label (probability)'.")
    boolean panel;

    @Override
    public Integer call() throws Exception {
        model.applyThreads();
        Preprocessing prep = model.preprocessing();
        Labels labels = model.labels();
        OverlayRenderer renderer = new OverlayRenderer(colormap, alpha);
        ExplainInputs in = ExplainInputs.of(inputs, prep);
        try (TorchModel m = TorchModel.load(model.modelPath(), model.device(), model.optimize())) {
            Explainer explainer = methodOptions.explainer(m, method, model.config().layer(), prep, labels, batchSize, System.err);
            String chosen = explainer.layers().isEmpty() ? "the input" : String.join(",", explainer.layers());
            ExplanationWriter writer = new ExplanationWriter(output, labels, renderer, panel);
            List<Path> files = new ExplainJob(explainer, in, writer, batchSize, System.err).run(targets.targets());
            System.out.println("explained " + in.count() + " input(s) with " + method + " at " + chosen + "; wrote " + files.size() + " file(s) to " + output);
        }
        return 0;
    }

    /** Method names for help text. */
    static final class MethodNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Methods.names().iterator();
        }
    }
}
