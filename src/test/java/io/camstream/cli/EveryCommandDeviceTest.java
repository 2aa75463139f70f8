package io.camstream.cli;

import io.camstream.model.CudaDevices;
import io.camstream.tensor.FloatTensor;
import io.camstream.tensor.Npy;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Every command that loads a model honours {@code --device}: on a build or machine without CUDA, {@code --device cuda}
 * is a clean usage error (status 2, "CUDA not available"), never a silent CPU run (evaluate and visualize used to
 * ignore the flag and exit 0).
 */
class EveryCommandDeviceTest {
    @TempDir
    static Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"explain", "evaluate", "visualize", "bench", "layers", "serve"})
    void cudaWithoutAGpuIsRefusedByEveryCommand(String command) throws Exception {
        assumeFalse(CudaDevices.available(), "a CUDA device is usable here");
        Path input = dir.resolve("x.npy");
        Npy.write(input, new FloatTensor(new float[3 * 32 * 32], 1, 3, 32, 32));
        List<String> args = new ArrayList<>(List.of(command, "--model", CliDeviceTest.tinyModel(), "--size", "32", "--threads", "1", "--device", "cuda"));
        switch (command) {
            case "explain" -> args.addAll(List.of("--input", input.toString(), "--output", dir.resolve("e").toString()));
            case "evaluate" -> args.addAll(List.of("--input", input.toString(), "--output", dir.resolve("v").toString(), "--steps", "2"));
            case "visualize" -> args.addAll(List.of("--target", "0", "--steps", "1", "--output", dir.resolve("c.png").toString()));
            case "bench" -> args.addAll(List.of("--iters", "1", "--warmup", "0", "--batch", "1"));
            case "serve" -> args.addAll(List.of("--port", "0"));
            default -> {
            }
        }
        StringBuilder err = new StringBuilder();
        assertEquals(2, CliDeviceTest.run(err, args.toArray(new String[0])), command + ": " + err);
        assertTrue(err.toString().contains("CUDA not available"), command + ": " + err);
    }
}
