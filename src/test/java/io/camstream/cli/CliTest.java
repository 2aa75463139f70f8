package io.camstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.camstream.tensor.FloatTensor;
import io.camstream.tensor.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line's output contract, end to end on the demo model and images. */
class CliTest {
    @Test
    void explainWritesArraysPredictionsAndOverlays(@TempDir Path out) throws Exception {
        int images;
        try (Stream<Path> s = Files.list(Path.of("demo/images"))) {
            images = (int) s.filter(p -> p.toString().endsWith(".png")).count();
        }
        int rc = Main.execute("explain", "--config", "demo/model.json", "--input", "demo/images", "--output", out.toString(),
                "--topk", "2", "--panel", "--batch-size", "3", "--threads", "2");
        assertEquals(0, rc);
        FloatTensor cams = Npy.readFloat(out.resolve("cams.npy"));
        FloatTensor heat = Npy.readFloat(out.resolve("heatmaps.npy"));
        assertEquals(images * 2, cams.dim(0));
        assertArrayEquals(new int[]{images * 2, 128, 128}, heat.shape());
        for (float v : heat.data()) assertTrue(v >= 0f && v <= 1f);
        for (float v : cams.data()) assertTrue(v >= 0f);
        JsonNode pred = new ObjectMapper().readTree(out.resolve("predictions.json").toFile());
        assertEquals(images, pred.size());
        JsonNode first = pred.get(0);
        assertEquals(2, first.get("explained").size());
        assertEquals(first.get("predictions").get(0).get("index").asInt(), first.get("explained").get(0).get("index").asInt(),
                "rank 0 explains the top prediction");
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(images * 2 * 2, s.filter(p -> p.toString().endsWith(".png")).count(), "an overlay and a panel per explanation");
        }
    }

    @Test
    void npyInputIsFedAsIs(@TempDir Path out) throws Exception {
        FloatTensor x = Npy.readFloat(Path.of("src/test/resources/fixtures/scenes/inputs.npy")).rows(0, 3);
        Path in = out.resolve("x.npy");
        Npy.write(in, x);
        int rc = Main.execute("explain", "--config", "demo/model.json", "--input", in.toString(), "--output", out.resolve("o").toString(),
                "--target", "0,1,2", "--method", "gradcam++");
        assertEquals(0, rc);
        assertEquals(3, Npy.readFloat(out.resolve("o/heatmaps.npy")).dim(0));
    }

    @Test
    void badInputExitsWithStatusTwo(@TempDir Path out) throws Exception {
        Path bad = out.resolve("bad.jpg");
        Files.writeString(bad, "not a jpeg");
        assertEquals(2, Main.execute("explain", "--config", "demo/model.json", "--input", bad.toString(), "--output", out.toString()));
        assertEquals(2, Main.execute("explain", "--config", "demo/model.json", "--layer", "nope", "--input", "demo/images", "--output", out.toString()));
        assertEquals(2, Main.execute("layers", "--model", out.resolve("missing.pt").toString()));
    }

    @Test
    void demoRunsWithoutArguments(@TempDir Path out) {
        assertEquals(0, Main.execute("demo", "--output", out.toString()));
        assertTrue(Files.exists(out.resolve("heatmaps.npy")));
        assertTrue(Files.exists(out.resolve("predictions.json")));
    }
}
