package io.camstream.cli;

import io.camstream.explain.Explainer;
import io.camstream.explain.Labels;
import io.camstream.explain.Methods;
import io.camstream.explain.Targets;
import io.camstream.image.OverlayRenderer;
import io.camstream.image.Preprocessing;
import io.camstream.model.ModelConfig;
import io.camstream.model.TorchModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "demo", description = "Explain the shipped demo images with the shipped demo model (no arguments needed).", mixinStandardHelpOptions = true)
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--output", paramLabel = "DIR", defaultValue = "out/demo", description = "Output folder. Default: ${DEFAULT-VALUE}.")
    Path output;

    @Option(names = "--method", paramLabel = "NAME", defaultValue = "gradcam", completionCandidates = ExplainCommand.MethodNames.class,
            description = "One of: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    String method;

    @Override
    public Integer call() throws Exception {
        Path demo = DemoAssets.folder();
        ModelConfig config = ModelConfig.read(demo.resolve("model.json"));
        Labels labels = Labels.read(config.labelsPath());
        Preprocessing prep = new Preprocessing(config.inputSize(), config.inputSize(), false, config.mean(), config.std());
        ExplainInputs inputs = ExplainInputs.of(List.of(demo.resolve("images")), prep);
        try (TorchModel model = TorchModel.load(config.modelPath())) {
            Explainer explainer = new Explainer(model, config.layer(), Methods.byName(method), labels);
            ExplanationWriter writer = new ExplanationWriter(output, labels, new OverlayRenderer("jet", 0.5), true);
            // top-2: scenes with two objects get one map per object class
            List<Path> files = new ExplainJob(explainer, inputs, writer, 8, System.err).run(new Targets.TopK(2));
            System.out.println("camstream demo: " + method + " at layer '" + config.layer() + "' of the demo model (" + labels.names().size()
                    + " classes: " + String.join(", ", labels.names()) + ")");
            System.out.println("explained " + inputs.count() + " demo images, the top-2 classes of each; wrote to " + output + ":");
            for (Path f : files) System.out.println("  " + f);
        }
        return 0;
    }
}
