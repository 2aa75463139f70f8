package io.camstream.model;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One engine boundary: libtorch is used only by {@code model/} (the models, their passes and device placement) and
 * {@code postprocess/cuda/} (kernels over device tensors); every other package works through them.
 */
class EngineBoundaryTest {
    private static final Path SOURCES = Path.of("src/main/java/io/camstream");
    private static final List<Path> ENGINE = List.of(SOURCES.resolve("model"), SOURCES.resolve("postprocess/cuda"));

    @Test
    void onlyTheEnginePackagesImportLibtorch() throws IOException {
        List<String> offenders;
        try (Stream<Path> files = Files.walk(SOURCES)) {
            offenders = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> ENGINE.stream().noneMatch(p::startsWith))
                    .filter(EngineBoundaryTest::usesLibtorch)
                    .map(p -> SOURCES.relativize(p).toString())
                    .sorted().toList();
        }
        assertEquals(List.of(), offenders, "libtorch used outside model/ and postprocess/cuda/");
    }

    @Test
    void theScanSeesLibtorch() throws IOException {
        // the check above can fail: the engine's own sources are found using libtorch
        assertTrue(usesLibtorch(SOURCES.resolve("model/CapturedPass.java")));
        assertFalse(usesLibtorch(SOURCES.resolve("explain/GradCam.java")));
    }

    private static boolean usesLibtorch(Path file) {
        try {
            return Files.readString(file).contains("org.bytedeco.pytorch");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
