package io.camstream.cli;

import io.camstream.model.CudaDevices;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** {@code --device}: cpu works, cuda without a usable GPU is a clean usage error (status 2), never a crash. */
class CliDeviceTest {
    static String tinyModel() {
        try {
            return Path.of(CliDeviceTest.class.getResource("/gpu-path/tiny_cnn.pt").toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static int run(StringBuilder err, String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            return Main.execute(args);
        } finally {
            System.setErr(old);
            err.append(buf.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void cpuIsTheDefaultAndWorks() {
        assertEquals(0, run(new StringBuilder(), "layers", "--model", tinyModel(), "--size", "32", "--threads", "1"));
        assertEquals(0, run(new StringBuilder(), "layers", "--model", tinyModel(), "--size", "32", "--threads", "1", "--device", "cpu"));
    }

    @Test
    void cudaWithoutAGpuIsATypedError() {
        assumeFalse(CudaDevices.available(), "a CUDA device is usable here");
        StringBuilder err = new StringBuilder();
        assertEquals(2, run(err, "layers", "--model", tinyModel(), "--size", "32", "--device", "cuda"));
        assertTrue(err.toString().contains("CUDA not available"), err.toString());
    }

    @Test
    void unknownDeviceIsAUsageError() {
        StringBuilder err = new StringBuilder();
        assertEquals(2, run(err, "layers", "--model", tinyModel(), "--device", "tpu"));
        assertTrue(err.toString().contains("--device must be cpu, cuda or cuda:N"), err.toString());
    }
}
