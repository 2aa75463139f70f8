package io.camstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.camstream.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --target A-B}, {@code --score}, {@code --call}, {@code --model-output} and {@code --reshape} from the command line. */
class TargetAndCaptureOptionsCliTest {
    private static final String INPUT = Fixtures.CORE.resolve("input.npy").toString();

    private static int explain(StringBuilder err, Path out, String model, String... more) {
        String[] base = {"explain", "--model", Fixtures.CORE.resolve(model).toString(), "--input", INPUT, "--size", "32", "--threads", "1",
                "--output", out.toString()};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return CliDeviceTest.run(err, all);
    }

    @Test
    void aProbabilityContrastIsWrittenWithItsScore(@TempDir Path dir) throws Exception {
        StringBuilder err = new StringBuilder();
        assertEquals(0, explain(err, dir, "core_net.pt", "--layer", "features.4", "--target", "1-3", "--score", "prob", "--call", "last"), err.toString());
        JsonNode first = new ObjectMapper().readTree(dir.resolve("predictions.json").toFile()).get(0).get("explained").get(0);
        assertEquals("p:1-3", first.get("target").asText());
        assertEquals(1, first.get("index").asInt());
        // the score is p(1) - p(3), the probabilities of the predictions listed beside it
        JsonNode preds = new ObjectMapper().readTree(dir.resolve("predictions.json").toFile()).get(0).get("predictions");
        double p1 = Double.NaN;
        double p3 = Double.NaN;
        for (JsonNode p : preds) {
            if (p.get("index").asInt() == 1) p1 = p.get("probability").asDouble();
            if (p.get("index").asInt() == 3) p3 = p.get("probability").asDouble();
        }
        assertEquals(p1 - p3, first.get("score").asDouble(), 1e-6);
    }

    @Test
    void severalOutputsAndTokenLayersWorkFromTheCommandLine(@TempDir Path dir) {
        StringBuilder err = new StringBuilder();
        assertEquals(0, explain(err, dir.resolve("a"), "two_head_net.pt", "--layer", "features.2", "--model-output", "aux"), err.toString());
        assertTrue(err.toString().contains("[logits, aux]") && err.toString().contains("'aux'"), err.toString());
        assertEquals(0, explain(err, dir.resolve("b"), "tiny_vit.pt", "--layer", "blocks.1.norm1", "--reshape", "tokens"), err.toString());
    }

    @Test
    void badValuesAreUsageErrors(@TempDir Path dir) {
        String[][] cases = {
                {"core_net.pt", "--layer", "features.4", "--target", "3--7"},
                {"core_net.pt", "--layer", "features.4", "--score", "odds"},
                {"core_net.pt", "--layer", "shared", "--call", "0"},
                {"core_net.pt", "--layer", "shared", "--call", "3"},
                {"two_head_net.pt", "--layer", "features.2", "--model-output", "nope"},
                {"tiny_vit.pt", "--layer", "blocks.1.norm1", "--reshape", "3y3"},
                {"tiny_vit.pt", "--layer", "blocks.1.norm1"},
                {"if_net.pt", "--layer", "body"},
        };
        for (String[] c : cases) {
            StringBuilder err = new StringBuilder();
            String[] more = java.util.Arrays.copyOfRange(c, 1, c.length);
            assertEquals(2, explain(err, dir.resolve("x"), c[0], more), String.join(" ", c) + ": " + err);
            assertTrue(err.toString().contains("camstream: error:"), String.join(" ", c) + ": " + err);
        }
    }
}
