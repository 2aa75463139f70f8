package io.camstream.natives;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where native loading can still fail, the user reads {@code camstream: error: ...} naming the library and what to do,
 * with exit status 2, and no JVM crash report lands in the working folder. Each case runs the CLI in a fresh JVM, since
 * a process sets its natives up once.
 */
@EnabledOnOs(OS.LINUX)
class NativeLoadErrorsTest {
    @Test
    void anUnwritableCacheIsATypedError(@TempDir Path dir) throws Exception {
        String nowhere = "/proc/camstream-no-such-folder";
        Result r = run(dir, List.of("-Duser.home=" + nowhere, "-Djava.io.tmpdir=" + nowhere,
                "-Dorg.bytedeco.javacpp.cachedir=" + nowhere), "demo", "--output", dir.resolve("out").toString());
        assertEquals(2, r.status, r.stderr);
        assertTrue(r.stderr.startsWith("camstream: error: cannot extract native library lib"), r.stderr);
        assertTrue(r.stderr.contains("-Dorg.bytedeco.javacpp.cachedir="), "says what to do: " + r.stderr);
        assertNoCrashReport(dir);
    }

    @Test
    void aDamagedLibraryInTheCacheIsATypedError(@TempDir Path dir) throws Exception {
        Path cache = dir.resolve("cache");
        Result filled = run(dir, List.of("-Dorg.bytedeco.javacpp.cachedir=" + cache), "layers", "--config", "demo/model.json");
        assertEquals(0, filled.status, filled.stderr);
        Path jni;
        try (Stream<Path> s = Files.walk(cache)) {
            jni = s.filter(p -> p.getFileName().toString().equals("libjnitorch.so")).findFirst().orElseThrow();
        }
        // Same size and time stamp, so JavaCPP keeps the damaged copy instead of extracting it again.
        FileTime stamp = Files.getLastModifiedTime(jni);
        Files.write(jni, new byte[(int) Files.size(jni)]);
        Files.setLastModifiedTime(jni, stamp);

        Result r = run(dir, List.of("-Dorg.bytedeco.javacpp.cachedir=" + cache), "layers", "--config", "demo/model.json");
        assertEquals(2, r.status, r.stderr);
        // The JVM itself may warn about the damaged file first; camstream's message is the last line.
        assertTrue(r.lastLine().startsWith("camstream: error: cannot load a native library: "), r.stderr);
        assertTrue(r.stderr.contains("libjnitorch.so"), "names the library: " + r.stderr);
        assertTrue(r.stderr.contains("delete it and run again"), "says what to do: " + r.stderr);
        assertNoCrashReport(dir);
    }

    private static void assertNoCrashReport(Path workingDir) throws IOException {
        try (Stream<Path> s = Files.list(workingDir)) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().startsWith("hs_err")), "a JVM crash report was left");
        }
    }

    private record Result(int status, String stderr) {
        String lastLine() {
            String[] lines = stderr.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    /** The CLI in a fresh JVM with this test's class path, working in {@code workingDir}. */
    private static Result run(Path workingDir, List<String> jvmOptions, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Djava.library.path=");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.camstream.cli.Main");
        for (String a : args) cmd.add(a.startsWith("demo/") ? Path.of(a).toAbsolutePath().toString() : a);
        Path err = workingDir.resolve("stderr.txt");
        Process p = new ProcessBuilder(cmd).directory(workingDir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the CLI did not finish within 120 s");
        }
        return new Result(p.exitValue(), Files.readString(err));
    }
}
