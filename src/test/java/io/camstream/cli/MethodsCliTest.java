package io.camstream.cli;

import io.camstream.Fixtures;
import io.camstream.tensor.FloatTensor;
import io.camstream.tensor.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line of the new methods, options, evaluate and visualize, end to end on the demo model. */
class MethodsCliTest {
    private static Path scenes(Path dir, int n) throws Exception {
        Path in = dir.resolve("x.npy");
        Npy.write(in, Npy.readFloat(Fixtures.SCENES.resolve("inputs.npy")).rows(0, n));
        return in;
    }

    /** Runs the CLI and returns {exit status, stdout, stderr}. */
    private static Object[] run(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int rc = Main.execute(args);
            return new Object[]{rc, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void severalLayersFusedWithSmoothingKeepTheOutputContract(@TempDir Path dir) throws Exception {
        Path in = scenes(dir, 2);
        Object[] r = run("explain", "--config", "demo/model.json", "--input", in.toString(), "--output", dir.resolve("o").toString(),
                "--method", "scorecam", "--layer", "features.2,features.4", "--fuse", "max", "--eigen-smooth", "--batch-size", "32", "--threads", "2");
        assertEquals(0, r[0], (String) r[2]);
        FloatTensor heat = Npy.readFloat(dir.resolve("o/heatmaps.npy"));
        assertArrayEquals(new int[]{2, 128, 128}, heat.shape());
        for (float v : heat.data()) assertTrue(v >= 0f && v <= 1f);
        assertArrayEquals(new int[]{2, 16, 16}, Npy.readFloat(dir.resolve("o/cams.npy")).shape(), "fused at the finest layer's grid");
    }

    @Test
    void inputSpaceMethodsWriteMapsAtInputResolution(@TempDir Path dir) throws Exception {
        Path in = scenes(dir, 1);
        for (String[] m : List.of(new String[]{"occlusion", "--patch", "32", "--stride", "32", "--baseline", "0.5"},
                new String[]{"guided-gradcam", "--aug-smooth"}, new String[]{"guided-backprop", "--no-relu"})) {
            Path o = dir.resolve(m[0]);
            String[] args = {"explain", "--config", "demo/model.json", "--input", in.toString(), "--output", o.toString(), "--method", m[0], "--threads", "2"};
            String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.Arrays.stream(m).skip(1)).toArray(String[]::new);
            Object[] r = run(all);
            assertEquals(0, r[0], m[0] + ": " + r[2]);
            assertArrayEquals(new int[]{1, 128, 128}, Npy.readFloat(o.resolve("cams.npy")).shape(), m[0]);
            assertArrayEquals(new int[]{1, 128, 128}, Npy.readFloat(o.resolve("heatmaps.npy")).shape(), m[0]);
        }
    }

    @Test
    void camOnASpatialHeadIsRefusedWithAReason(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("x.npy");
        Npy.write(in, Npy.readFloat(Fixtures.METHODS.resolve("input.npy")));
        Object[] r = run("explain", "--model", Fixtures.METHODS.resolve("flat_net.pt").toString(), "--size", "32", "--layer", "features.6",
                "--input", in.toString(), "--output", dir.toString(), "--method", "cam");
        assertEquals(2, r[0]);
        String err = (String) r[2];
        assertTrue(err.contains("global average pooling") && err.contains("--method gradcam"), err);
        assertEquals(2, run("explain", "--config", "demo/model.json", "--input", in.toString(), "--output", dir.toString(), "--fuse", "median")[0]);
    }

    @Test
    void evaluateWritesCsvChartAndComparesAllMethods(@TempDir Path dir) throws Exception {
        Path in = scenes(dir, 2);
        Path out = dir.resolve("ev");
        Object[] r = run("evaluate", "--config", "demo/model.json", "--input", in.toString(), "--output", out.toString(), "--method", "all",
                "--steps", "4", "--road-percentiles", "50", "--patch", "32", "--stride", "32", "--batch-size", "32", "--threads", "2");
        assertEquals(0, r[0], (String) r[2]);
        List<String> summary = Files.readAllLines(out.resolve("summary.csv"));
        assertTrue(summary.get(0).startsWith("method,inputs,deletion_auc,insertion_auc,average_drop_pct"), summary.get(0));
        for (String m : io.camstream.explain.Methods.names()) {
            assertTrue(summary.stream().anyMatch(l -> l.startsWith(m + ",2,")), m + " in " + summary);
        }
        assertTrue(summary.stream().anyMatch(l -> l.startsWith("random,2,")));
        List<String> rows = Files.readAllLines(out.resolve("evaluation.csv"));
        assertEquals(1 + 2 * (io.camstream.explain.Methods.names().size() + 1), rows.size());
        assertTrue(((String) r[1]).contains("deletion AUC") && ((String) r[1]).contains("gradcam++"), (String) r[1]);
        var png = imread(out.resolve("curves.png").toString());
        assertFalse(png.empty());
        assertTrue(png.cols() >= 800 && png.rows() >= 400);
        List<String> curves = Files.readAllLines(out.resolve("curves.csv"));
        assertEquals("method,curve,fraction,mean_probability", curves.get(0));
    }

    @Test
    void visualizeWritesAPng(@TempDir Path dir) {
        Path png = dir.resolve("v.png");
        Object[] r = run("visualize", "--config", "demo/model.json", "--target", "1", "--steps", "5", "--output", png.toString(), "--scale", "2", "--threads", "2");
        assertEquals(0, r[0], (String) r[2]);
        var img = imread(png.toString());
        assertEquals(256, img.cols());
        assertTrue(((String) r[2]).contains("step 5/5"), (String) r[2]);
        assertEquals(2, run("visualize", "--config", "demo/model.json", "--target", "9", "--steps", "1", "--output", png.toString())[0]);
    }
}
