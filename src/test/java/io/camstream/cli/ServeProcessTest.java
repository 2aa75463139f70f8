package io.camstream.cli;

import io.camstream.client.CamstreamClient;
import io.camstream.client.ClientOptions;
import io.camstream.protocol.ExplainRequest;
import io.camstream.protocol.Payload;
import io.camstream.protocol.ResultForm;
import io.camstream.protocol.ResultSpec;
import io.camstream.protocol.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `serve` as its own process, stopped the way a service manager stops it (SIGTERM). */
class ServeProcessTest {
    private static final Pattern SERVING = Pattern.compile("camstream: serving .* on 127\\.0\\.0\\.1:(\\d+)");

    @Test
    void sigtermDrainsAndExitsZero(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("serve.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx1g", "-Djava.library.path=", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "serve", "--config", "demo/model.json", "--port", "0", "--metrics-port", "-1", "--drain-timeout-ms", "5000")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            int port = awaitPort(p, log);
            try (CamstreamClient client = CamstreamClient.connect(ClientOptions.builder("127.0.0.1", port).reconnect(Duration.ofMillis(50), Duration.ofMillis(100), 0).build())) {
                ExplainRequest r = new ExplainRequest(0, 1, 7, "gradcam", Target.top1(), 0, 0, ResultSpec.of(ResultForm.UINT8),
                        Payload.rgb8(128, 128, new byte[128 * 128 * 3]));
                assertEquals(7, client.explain(r).get(60, TimeUnit.SECONDS).frameNumber());
            }
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "serve did not stop after SIGTERM:\n" + Files.readString(log));
            String out = Files.readString(log);
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("every request was answered"), out);
        } finally {
            p.destroyForcibly();
        }
    }

    private static int awaitPort(Process p, Path log) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() - until < 0) {
            Matcher m = SERVING.matcher(Files.readString(log));
            if (m.find()) return Integer.parseInt(m.group(1));
            if (!p.isAlive()) throw new AssertionError("serve exited " + p.exitValue() + ":\n" + Files.readString(log));
            Thread.sleep(100);
        }
        throw new AssertionError("serve did not start within 120 s:\n" + Files.readString(log));
    }
}
