package io.camstream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.camstream.explain.Explainer;
import io.camstream.explain.Labels;
import io.camstream.explain.Targets;
import io.camstream.model.CudaDevices;
import io.camstream.model.ForwardTimer;
import io.camstream.model.TorchModel;
import io.camstream.tensor.FloatTensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;

@Command(name = "bench", description = {"Measure explain throughput against the model's forward, in one process, after warm-up: explain, the plain "
        + "TorchScript forward under no-grad (forward_*) and the frozen, inference-optimised forward (optimized_forward_*) alternate, one "
        + "iteration of each at a time. Prints one JSON line.",
        "explain_ms_per_image is the whole explain call (forward, backward or masked forwards, maps, post-processing) divided by the images."},
        mixinStandardHelpOptions = true)
final class BenchCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Mixin
    MethodOptions methodOptions;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "8",
            description = "scorecam/occlusion: masked or occluded copies per forward (as explain's --batch-size). Default: ${DEFAULT-VALUE}.")
    int chunk;

    @Option(names = "--method", paramLabel = "NAME", defaultValue = "gradcam", completionCandidates = ExplainCommand.MethodNames.class,
            description = "One of: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    String method;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "8",
            description = "Images per explain call (and per plain forward): the batch that is measured. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--iters", paramLabel = "N", defaultValue = "5", description = "Measured iterations of each. Default: ${DEFAULT-VALUE}.")
    int iters;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "2", description = "Unmeasured iterations first. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Override
    public Integer call() throws Exception {
        if (batch < 1 || iters < 1 || warmup < 0) throw new io.camstream.InvalidInputException("--batch and --iters must be >= 1, --warmup >= 0");
        model.applyThreads();
        int size = model.preprocessing().height();
        Random rnd = new Random(0);
        float[] data = new float[batch * 3 * size * size];
        for (int i = 0; i < data.length; i++) data[i] = (float) rnd.nextGaussian();
        FloatTensor input = new FloatTensor(data, batch, 3, size, size);
        try (TorchModel m = model.load()) {
            Explainer explainer = methodOptions.explainer(m, method, model.config().layer(), model.config().inputSize(), model.preprocessing(), Labels.NONE, chunk, System.err);
            String chosen = explainer.layers().isEmpty() ? "(input)" : String.join(",", explainer.layers());
            long[] total = new long[3]; // explain, plain forward, optimised forward
            try (ForwardTimer forwards = new ForwardTimer(m, input)) {
                for (int i = 0; i < warmup; i++) iteration(explainer, input, forwards, null);
                // alternate the three so that drift in machine load affects all alike
                for (int i = 0; i < iters; i++) iteration(explainer, input, forwards, total);
            }
            double explainSeconds = total[0] / 1e9;
            double forwardSeconds = total[1] / 1e9;
            double optimisedSeconds = total[2] / 1e9;
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("explain_images_per_s", round(batch * iters / explainSeconds));
            out.put("forward_images_per_s", round(batch * iters / forwardSeconds));
            out.put("optimized_forward_images_per_s", round(batch * iters / optimisedSeconds));
            out.put("explain_over_forward", round(forwardSeconds / explainSeconds));
            out.put("explain_over_optimized_forward", round(optimisedSeconds / explainSeconds));
            out.put("optimized_forward_over_forward", round(forwardSeconds / optimisedSeconds));
            out.put("optimize", m.optimises());
            out.put("explain_ms_per_image", round(explainSeconds * 1000 / (batch * iters)));
            out.put("forward_ms_per_image", round(forwardSeconds * 1000 / (batch * iters)));
            out.put("device", m.device().isCuda() ? m.device() + ": " + CudaDevices.name(m.device().index()) : "cpu: " + cpuName());
            out.put("threads", model.threads);
            out.put("batch", batch);
            out.put("size", size);
            out.put("method", method);
            out.put("layer", chosen);
            out.put("iters", iters);
            out.put("model", model.modelPath().getFileName().toString());
            System.out.println(new ObjectMapper().writeValueAsString(out));
        }
        return 0;
    }

    /** One explain call, one plain forward, one optimised forward; their nanoseconds are added to {@code total} unless null. */
    private static void iteration(Explainer explainer, FloatTensor input, ForwardTimer forwards, long[] total) {
        long t0 = System.nanoTime();
        explainer.explain(input, Targets.top1());
        long explain = System.nanoTime() - t0;
        long plain = forwards.plainForwardNanos();
        long optimised = forwards.inferenceForwardNanos();
        if (total != null) {
            total[0] += explain;
            total[1] += plain;
            total[2] += optimised;
        }
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    static String cpuName() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse(System.getProperty("os.arch"))
                    + " (" + Runtime.getRuntime().availableProcessors() + " cores visible)";
        } catch (Exception e) {
            return System.getProperty("os.arch");
        }
    }
}
