import io.camstream.explain.Labels;
import io.camstream.explain.Targets;
import io.camstream.model.ExecutionDevice;
import io.camstream.server.TorchBackend;
import io.camstream.tensor.FloatTensor;
import org.bytedeco.pytorch.global.torch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * The engine without the server: the same TorchBackend the server's batcher drives, on one thread, after a long
 * warm-up (TorchScript's profiling executor and oneDNN settle only after tens of calls). The reference for the
 * server path's overhead. Run from the repository root after `mvn package`:
 *
 *   java -Djava.library.path= -cp "target/camstream.jar:target/lib/*" benchmarks/server/InProcessBench.java \
 *        MODEL LAYER SIZE BATCH [ITERS] [THREADS] [compare]
 *
 * Prints one JSON line: milliseconds per explain call and images per second. With {@code compare}, the backend with
 * the optimised trunk and the one without ({@code --no-optimize}) are loaded side by side and their calls alternate,
 * so the line also gives the optimisation's factor on the server's own code path, measured within one process.
 */
public class InProcessBench {
    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        String layer = args[1];
        int size = Integer.parseInt(args[2]);
        int batch = Integer.parseInt(args[3]);
        int iters = args.length > 4 ? Integer.parseInt(args[4]) : 50;
        int threads = args.length > 5 ? Integer.parseInt(args[5]) : 2;
        io.camstream.natives.NativeLibraries.prepare(false);
        torch.set_num_threads(threads);
        Random rnd = new Random(0);
        float[] data = new float[batch * 3 * size * size];
        for (int i = 0; i < data.length; i++) data[i] = (float) rnd.nextGaussian();
        FloatTensor input = new FloatTensor(data, batch, 3, size, size);
        if (args.length > 6 && args[6].equals("compare")) {
            compare(model, layer, size, batch, iters, threads, input);
            return;
        }
        try (TorchBackend backend = TorchBackend.load(model, ExecutionDevice.cpu(), layer, size, size, Labels.NONE)) {
            int warmup = Math.max(30, iters / 2);
            for (int i = 0; i < warmup; i++) backend.explain("gradcam", Targets.top1(), input);
            long[] t = new long[iters];
            for (int i = 0; i < iters; i++) {
                long t0 = System.nanoTime();
                backend.explain("gradcam", Targets.top1(), input);
                t[i] = System.nanoTime() - t0;
            }
            java.util.Arrays.sort(t);
            double medianMs = t[iters / 2] / 1e6;
            double meanMs = java.util.Arrays.stream(t).average().orElse(0) / 1e6;
            String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("?");
            System.out.printf(Locale.ROOT, "{\"model\":\"%s\",\"batch\":%d,\"size\":%d,\"threads\":%d,\"iters\":%d,\"warmup\":%d,\"median_ms\":%.2f,"
                            + "\"mean_ms\":%.2f,\"images_per_s\":%.1f,\"cpu\":\"%s (%d cores)\",\"loadavg\":\"%s\"}%n",
                    model.getFileName(), batch, size, threads, iters, warmup, medianMs, meanMs, batch * 1000.0 / meanMs, cpu,
                    Runtime.getRuntime().availableProcessors(), Files.readString(Path.of("/proc/loadavg")).strip());
        }
    }

    private static void compare(Path model, String layer, int size, int batch, int iters, int threads, FloatTensor input) throws Exception {
        try (TorchBackend optimised = TorchBackend.load(model, ExecutionDevice.cpu(), true, layer, size, size, Labels.NONE);
             TorchBackend plain = TorchBackend.load(model, ExecutionDevice.cpu(), false, layer, size, size, Labels.NONE)) {
            int warmup = Math.max(30, iters / 2);
            for (int i = 0; i < warmup; i++) {
                optimised.explain("gradcam", Targets.top1(), input);
                plain.explain("gradcam", Targets.top1(), input);
            }
            long[] o = new long[iters];
            long[] p = new long[iters];
            for (int i = 0; i < iters; i++) {
                long t0 = System.nanoTime();
                optimised.explain("gradcam", Targets.top1(), input);
                long t1 = System.nanoTime();
                plain.explain("gradcam", Targets.top1(), input);
                o[i] = t1 - t0;
                p[i] = System.nanoTime() - t1;
            }
            double om = java.util.Arrays.stream(o).average().orElse(0) / 1e6;
            double pm = java.util.Arrays.stream(p).average().orElse(0) / 1e6;
            System.out.printf(Locale.ROOT, "{\"model\":\"%s\",\"batch\":%d,\"size\":%d,\"threads\":%d,\"iters\":%d,\"warmup\":%d,"
                            + "\"optimised_mean_ms\":%.2f,\"no_optimize_mean_ms\":%.2f,\"optimised_over_no_optimize\":%.3f,\"loadavg\":\"%s\"}%n",
                    model.getFileName(), batch, size, threads, iters, warmup, om, pm, pm / om, Files.readString(Path.of("/proc/loadavg")).strip());
        }
    }
}
