package io.camstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.camstream.tensor.FloatTensor;
import io.camstream.tensor.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The optimised trunk is the default and {@code --no-optimize} gives today's path: the same maps either way. */
class OptimizeFlagTest {
    @Test
    void explainGivesTheSameMapsWithAndWithoutOptimisation(@TempDir Path out) throws Exception {
        Path in = out.resolve("x.npy");
        Npy.write(in, Npy.readFloat(Path.of("src/test/resources/fixtures/scenes/inputs.npy")).rows(0, 2));
        for (String method : new String[]{"gradcam", "eigencam"}) {
            Path fast = out.resolve(method + "-optimised");
            Path plain = out.resolve(method + "-plain");
            assertEquals(0, Main.execute("explain", "--config", "demo/model.json", "--input", in.toString(), "--output", fast.toString(),
                    "--method", method, "--threads", "2"));
            assertEquals(0, Main.execute("explain", "--config", "demo/model.json", "--input", in.toString(), "--output", plain.toString(),
                    "--method", method, "--threads", "2", "--no-optimize"));
            FloatTensor a = Npy.readFloat(fast.resolve("cams.npy"));
            FloatTensor b = Npy.readFloat(plain.resolve("cams.npy"));
            assertArrayEquals(b.shape(), a.shape());
            for (int m = 0; m < b.dim(0); m++) {
                double err = io.camstream.Fixtures.relativeError(a, b, m);
                assertTrue(err < 1e-3, method + " cam " + m + ": relative error " + err);
            }
        }
    }

    @Test
    void benchPrintsPlainAndOptimisedForwards() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        int rc;
        try {
            System.setOut(new PrintStream(buf, true));
            rc = Main.execute("bench", "--config", "demo/model.json", "--batch", "2", "--iters", "1", "--warmup", "1", "--threads", "2");
        } finally {
            System.setOut(saved);
        }
        assertEquals(0, rc);
        String line = buf.toString().strip();
        assertEquals(1, line.lines().count(), line);
        JsonNode j = new ObjectMapper().readTree(line);
        for (String k : new String[]{"explain_images_per_s", "forward_images_per_s", "optimized_forward_images_per_s"}) {
            assertTrue(j.get(k).asDouble() > 0, k + " in " + line);
        }
        assertEquals(j.get("forward_images_per_s").asDouble() > 0, j.has("explain_over_forward"));
        assertTrue(j.has("explain_over_optimized_forward") && j.has("optimized_forward_over_forward"), line);
        assertTrue(j.get("optimize").asBoolean(), line);
    }
}
