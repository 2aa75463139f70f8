import io.camstream.explain.Explainer;
import io.camstream.explain.Labels;
import io.camstream.explain.Methods;
import io.camstream.explain.Targets;
import io.camstream.model.ExecutionDevice;
import io.camstream.model.Tensors;
import io.camstream.model.TorchModel;
import io.camstream.tensor.FloatTensor;
import org.bytedeco.javacpp.PointerScope;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The Java engine, per batch size: forward-only vs explain (Grad-CAM by default), same process, same input.
 * A single-file program (java runs the source directly), against the built jar:
 *
 * <pre>
 *   mvn -B -Pgpu -DskipTests package                      # target/camstream.jar + target/lib/ (CUDA libtorch)
 *   python3 benchmarks/gpu/make_resnet50.py /tmp/resnet50.pt
 *   java -Djava.library.path= -cp "target/camstream.jar:target/lib/*" benchmarks/gpu/ExplainBench.java \
 *        --model /tmp/resnet50.pt --layer layer4 --device cuda --batches 1,2,4,8,16,32,64,128,256
 * </pre>
 *
 * forward = model input (pinned, async H2D, half, channels_last on CUDA) + forward under no_grad + logits to the host;
 * explain = {@link Explainer#explain(FloatTensor, Targets, int, int)} with top-1 targets, heatmaps at the input size
 * (forward with layer capture, one backward through the head, fused kernels on CUDA, cams + heatmaps to the host).
 * Both end in a host copy, so both are synchronous. Prints one JSON line per batch size. Runs on the CPU too
 * ({@code --device cpu}), which is how it was smoke-tested without a GPU.
 */
public class ExplainBench {
    public static void main(String[] args) {
        String model = null;
        String layer = "layer4";
        String device = "cuda";
        String method = "gradcam";
        int size = 224;
        int iters = 20;
        int warmup = 5;
        List<Integer> batches = new ArrayList<>(List.of(1, 2, 4, 8, 16, 32, 64, 128, 256));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--model" -> model = args[++i];
                case "--layer" -> layer = args[++i];
                case "--device" -> device = args[++i];
                case "--method" -> method = args[++i];
                case "--size" -> size = Integer.parseInt(args[++i]);
                case "--iters" -> iters = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--batches" -> batches = Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList();
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (model == null) throw new IllegalArgumentException("--model PATH.pt is required");
        ExecutionDevice dev = ExecutionDevice.parse(device);
        io.camstream.natives.NativeLibraries.prepare(dev.isCuda());
        try (TorchModel m = TorchModel.load(Path.of(model), dev)) {
            Explainer explainer = new Explainer(m, layer, Methods.byName(method), Labels.NONE);
            for (int b : batches) {
                FloatTensor input = random(b, size, b);
                final int s = size;
                double fwd = medianMs(() -> {
                    try (PointerScope scope = new PointerScope()) {
                        Tensors.toJava(m.forward(m.toModelInput(input)));
                    }
                }, iters, warmup);
                double exp = medianMs(() -> explainer.explain(input, Targets.top1(), s, s), iters, warmup);
                System.out.printf(java.util.Locale.ROOT,
                        "{\"engine\": \"camstream-java\", \"device\": \"%s\", \"model\": \"%s\", \"layer\": \"%s\", \"method\": \"%s\", \"batch\": %d, "
                                + "\"size\": %d, \"forward_ms\": %.3f, \"explain_ms\": %.3f, \"explain_over_forward_throughput\": %.3f, \"images_per_s_explain\": %.1f}%n",
                        dev, Path.of(model).getFileName(), layer, method, b, size, fwd, exp, fwd / exp, b * 1000 / exp);
            }
        }
    }

    static FloatTensor random(int batch, int size, long seed) {
        Random rnd = new Random(seed);
        float[] v = new float[batch * 3 * size * size];
        for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian();
        return new FloatTensor(v, batch, 3, size, size);
    }

    static double medianMs(Runnable r, int iters, int warmup) {
        for (int i = 0; i < warmup; i++) r.run();
        double[] t = new double[iters];
        for (int i = 0; i < iters; i++) {
            long t0 = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(t);
        return iters % 2 == 1 ? t[iters / 2] : (t[iters / 2 - 1] + t[iters / 2]) / 2;
    }
}
