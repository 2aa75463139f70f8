package io.camstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.camstream.Fixtures;
import io.camstream.tensor.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** explain, evaluate and visualize used carelessly: nothing overwritten, failures before work, errors that say what to do. */
class CarelessUseTest {
    private static final Path IMAGES = Path.of("demo/images");

    @Test
    void inputsWithTheSameStemGetTheirOwnOutputsAndTheirPathsRecorded(@TempDir Path tmp) throws Exception {
        Path a = Files.createDirectories(tmp.resolve("a"));
        Path b = Files.createDirectories(tmp.resolve("b"));
        // imdecode reads the content, not the extension: a PNG named .jpg is a fine image
        Files.copy(IMAGES.resolve("circle.png"), a.resolve("cat.png"));
        Files.copy(IMAGES.resolve("cross.png"), a.resolve("cat.jpg"));
        Files.copy(IMAGES.resolve("triangle.png"), b.resolve("cat.png"));
        Path out = tmp.resolve("out");
        CliRun r = CliRun.of("explain", "--config", "demo/model.json", "--input", a.toString(), b.toString(), "--output", out.toString(), "--panel");
        assertEquals(0, r.rc(), r.out());
        JsonNode pred = new ObjectMapper().readTree(out.resolve("predictions.json").toFile());
        assertEquals(3, pred.size());
        Set<String> paths = new HashSet<>();
        Set<String> overlays = new HashSet<>();
        for (JsonNode rec : pred) {
            paths.add(rec.get("path").asText());
            String overlay = rec.get("explained").get(0).get("overlay").asText();
            overlays.add(overlay);
            assertTrue(Files.isRegularFile(out.resolve(overlay)), overlay);
        }
        assertEquals(Set.of(a.resolve("cat.jpg").toString(), a.resolve("cat.png").toString(), b.resolve("cat.png").toString()), paths);
        assertEquals(3, overlays.size(), "one overlay per input: " + overlays);
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(6, s.filter(p -> p.toString().endsWith(".png")).count(), "3 overlays and 3 panels, none overwritten");
        }
    }

    @Test
    void skipBadInputsLeavesOutWhatCannotBeReadAndSaysSo(@TempDir Path tmp) throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in"));
        Files.copy(IMAGES.resolve("circle.png"), in.resolve("a.png"));
        Files.writeString(in.resolve("b.png"), "not a png");
        Files.copy(IMAGES.resolve("cross.png"), in.resolve("c.png"));
        String[] base = {"explain", "--config", "demo/model.json", "--input", in.toString(), "--batch-size", "2", "--target", "0,1,2"};
        assertEquals(2, CliRun.of(concat(base, "--output", tmp.resolve("o1").toString())).rc(), "without the option: the first bad input stops it");

        CliRun r = CliRun.of(concat(base, "--output", tmp.resolve("o2").toString(), "--skip-bad-inputs"));
        assertEquals(1, r.rc(), r.out());
        assertTrue(r.out().contains("left out 1 of 3 input(s)") && r.out().contains(in.resolve("b.png").toString()), r.out());
        JsonNode pred = new ObjectMapper().readTree(tmp.resolve("o2/predictions.json").toFile());
        assertEquals(2, pred.size());
        assertEquals(2, Npy.readFloat(tmp.resolve("o2/heatmaps.npy")).dim(0));
        // per-input targets follow their inputs past the one left out
        assertEquals(0, pred.get(0).get("explained").get(0).get("index").asInt());
        assertEquals(2, pred.get(1).get("explained").get(0).get("index").asInt());

        assertEquals(0, CliRun.of(concat(base, "--output", tmp.resolve("o3").toString(), "--skip-bad-inputs", "--bad-inputs-ok")).rc());
    }

    private static String[] concat(String[] a, String... b) {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
    }

    @Test
    void outputsAreCheckedBeforeAnyWork(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("afile"), "x");
        CliRun explain = CliRun.of("explain", "--config", "demo/model.json", "--input", "demo/images", "--output", file.toString());
        assertEquals(2, explain.rc(), explain.out());
        assertTrue(explain.out().contains(file + " is a file, not a folder"), explain.out());
        // the inputs do not exist: the output is refused first, so nothing was computed
        CliRun evaluate = CliRun.of("evaluate", "--config", "demo/model.json", "--input", tmp.resolve("missing").toString(), "--output", file.toString());
        assertEquals(2, evaluate.rc(), evaluate.out());
        assertTrue(evaluate.out().contains(file + " is a file, not a folder"), evaluate.out());
        CliRun visualize = CliRun.of("visualize", "--config", "demo/model.json", "--target", "0", "--steps", "1", "--output", file.resolve("x.png").toString());
        assertEquals(2, visualize.rc(), visualize.out());
        assertTrue(visualize.out().contains(file + " is a file, not a folder"), visualize.out());
        assertFalse(visualize.out().contains("internal error"), visualize.out());
    }

    @Test
    void aLayerWithNoSpatialOutputIsRefused(@TempDir Path tmp) {
        CliRun r = CliRun.of("explain", "--config", "demo/model.json", "--layer", "avgpool", "--input", "demo/images", "--output", tmp.toString());
        assertEquals(2, r.rc(), r.out());
        assertTrue(r.out().contains("layer 'avgpool' outputs [1, 96, 1, 1] at input size 128x128, which has no spatial (h, w) grid"), r.out());
        assertFalse(Files.exists(tmp.resolve("heatmaps.npy")));
    }

    @Test
    void anUnknownLayerGetsASuggestionAndAPointer(@TempDir Path tmp) {
        CliRun r = CliRun.of("explain", "--config", "demo/model.json", "--layer", "feature.4", "--input", "demo/images", "--output", tmp.toString());
        assertEquals(2, r.rc(), r.out());
        String line = r.out().lines().filter(l -> l.startsWith("camstream: error:")).findFirst().orElseThrow();
        assertTrue(line.contains("did you mean features.4?"), line);
        assertTrue(line.contains("`camstream layers"), line);
        assertTrue(line.length() < 250, "short: " + line);
    }

    @Test
    void aDefaultLayerThatMovesWithTheInputSizeIsSaid(@TempDir Path tmp) {
        CliRun r = CliRun.of("explain", "--model", "demo/model.pt", "--size", "8", "--input", "demo/images/circle.png", "--output", tmp.toString());
        assertEquals(0, r.rc(), r.out());
        assertTrue(r.out().contains("at input size 8x8 that is 'features.2.1', not 'features' as at 224x224"), r.out());
        CliRun usual = CliRun.of("explain", "--model", "demo/model.pt", "--input", "demo/images/circle.png", "--output", tmp.resolve("u").toString());
        assertFalse(usual.out().contains("note:"), usual.out());
    }

    @Test
    void aNonImageModelsErrorKeepsLibtorchsReason(@TempDir Path tmp) {
        CliRun r = CliRun.of("explain", "--model", Fixtures.ROOT.resolve("cli/vector_net.pt").toString(), "--layer", "0", "--input", "demo/images",
                "--output", tmp.toString());
        assertEquals(2, r.rc(), r.out());
        assertTrue(r.out().contains("mat1 and mat2 shapes cannot be multiplied"), r.out());
        assertFalse(List.of(r.out().split("\n")).stream().anyMatch(l -> l.contains("camstream: error:") && l.endsWith("TorchScript interpreter.")), r.out());
    }
}
