package io.camstream.cli;

import io.camstream.InvalidInputException;
import io.camstream.evaluate.EvaluationReport;
import io.camstream.evaluate.Evaluator;
import io.camstream.evaluate.FaithfulnessMetrics;
import io.camstream.evaluate.InputSource;
import io.camstream.evaluate.MethodResult;
import io.camstream.explain.Labels;
import io.camstream.explain.Methods;
import io.camstream.explain.Targets;
import io.camstream.image.Preprocessing;
import io.camstream.model.TorchModel;
import io.camstream.tensor.FloatTensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "evaluate", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Score how faithful explanations are, over a folder of images (or a .npy tensor): deletion and insertion AUC, "
                + "average drop / increase in confidence, ROAD (noisy linear imputation, most and least relevant first).",
                "Writes evaluation.csv (per input and method), summary.csv (per method), curves.csv and curves.png (mean deletion/insertion curves) "
                        + "to --output, and prints the comparison table. A 'random' heatmap is always scored too, as the floor to beat.",
                "Probabilities are the softmax probability of the explained class (the top prediction unless --target). Deletion sets removed "
                        + "pixels to 0 in the normalised input (the mean colour); insertion starts from a Gaussian-blurred copy (sigma = size/32)."})
final class EvaluateCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--method", paramLabel = "NAME[,NAME...]|all", defaultValue = "gradcam",
            description = "Method(s) to compare, or 'all' (${COMPLETION-CANDIDATES}). Default: ${DEFAULT-VALUE}.",
            completionCandidates = ExplainCommand.MethodNames.class)
    String method;

    @Mixin
    MethodOptions methodOptions;

    @Option(names = "--input", required = true, arity = "1..*", paramLabel = "PATH", description = "Image files, folders of images, or one float32 NCHW .npy tensor.")
    List<Path> inputs;

    @Option(names = "--output", paramLabel = "DIR", defaultValue = "out/evaluate", description = "Output folder. Default: ${DEFAULT-VALUE}.")
    Path output;

    @Option(names = "--target", paramLabel = "C[,C...]", description = "Class to explain: one for all inputs, or one per input. Default: the top-1 prediction.")
    String target;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "" + FaithfulnessMetrics.DEFAULT_STEPS,
            description = "Deletion/insertion steps (curve points - 1). Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--road-percentiles", split = ",", paramLabel = "P[,P...]", defaultValue = "20,40,60,80",
            description = "Percent of pixels imputed for ROAD (MoRF and LeRF at each). Default: ${DEFAULT-VALUE}.")
    double[] roadPercentiles;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "8",
            description = "Inputs per explain call, and perturbed copies per forward. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--limit", paramLabel = "N", description = "Evaluate only the first N inputs.")
    Integer limit;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed of the random baseline, tie order and ROAD noise. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() {
        model.applyThreads();
        if (batchSize < 1) throw new InvalidInputException("--batch-size must be at least 1, got " + batchSize);
        Preprocessing prep = model.preprocessing();
        Labels labels = model.labels();
        ExplainInputs in = ExplainInputs.of(inputs, prep);
        int count = limit == null ? in.count() : Math.min(in.count(), limit);
        if (count < 1) throw new InvalidInputException("--limit must be at least 1");
        List<String> methods = methods(method);
        int[] classes = null;
        if (target != null) {
            classes = ((Targets.Classes) Targets.parse(target)).classes();
            if (classes.length != 1 && classes.length != count) {
                throw new InvalidInputException("got " + classes.length + " target classes for " + count + " inputs; give one for all or one per input");
            }
        }
        double[] fractions = Arrays.stream(roadPercentiles).map(p -> p / 100).toArray();
        try (TorchModel m = TorchModel.load(model.modelPath(), io.camstream.model.ExecutionDevice.cpu(), model.optimize())) {
            Evaluator evaluator = new Evaluator(m, name -> methodOptions.explainer(m, name, model.config().layer(), prep, labels, batchSize, System.err),
                    batchSize, steps, fractions, seed, System.err);
            Map<String, MethodResult> results = evaluator.run(methods, source(in, count), classes);
            List<Path> files = EvaluationReport.write(output, results, labels, fractions);
            System.out.print(EvaluationReport.table(results));
            System.out.println("wrote " + String.join(", ", files.stream().map(Path::toString).toList()));
        }
        return 0;
    }

    static List<String> methods(String spec) {
        if (spec.equalsIgnoreCase("all")) return Methods.names();
        List<String> out = new ArrayList<>();
        for (String s : spec.split(",")) {
            String name = s.strip().toLowerCase(java.util.Locale.ROOT);
            if (name.equals(Evaluator.RANDOM)) continue;
            Methods.byName(name); // fails early on unknown names
            if (!out.contains(name)) out.add(name);
        }
        return out;
    }

    private static InputSource source(ExplainInputs in, int count) {
        return new InputSource() {
            @Override
            public int count() {
                return count;
            }

            @Override
            public String name(int index) {
                return in.name(index);
            }

            @Override
            public FloatTensor batch(int from, int to) {
                ExplainInputs.Batch b = in.batch(from, to);
                if (b.hasImages()) b.originals().forEach(org.bytedeco.opencv.opencv_core.Mat::close);
                return b.tensor();
            }
        };
    }
}
