package io.camstream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.camstream.explain.ExplanationBatch;
import io.camstream.explain.Labels;
import io.camstream.explain.Prediction;
import io.camstream.image.Images;
import io.camstream.image.OverlayRenderer;
import io.camstream.tensor.FloatTensor;
import io.camstream.tensor.Npy;
import org.bytedeco.opencv.opencv_core.Mat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The explain output folder: {@code cams.npy}, {@code heatmaps.npy}, {@code predictions.json}, and for image inputs
 * one overlay PNG per explanation (plus a panel with {@code --panel}). Images are written batch by batch; the arrays
 * and JSON at {@link #finish()}.
 */
final class ExplanationWriter {
    private final Path dir;
    private final Labels labels;
    private final OverlayRenderer renderer;
    private final boolean panel;
    private final List<FloatTensor> cams = new ArrayList<>();
    private final List<FloatTensor> heatmaps = new ArrayList<>();
    private final List<Map<String, Object>> records = new ArrayList<>();
    private final List<Path> images = new ArrayList<>();
    private int mapsDone;

    ExplanationWriter(Path dir, Labels labels, OverlayRenderer renderer, boolean panel) {
        this.dir = dir;
        this.labels = labels;
        this.renderer = renderer;
        this.panel = panel;
        OutputPaths.requireFolder(dir, "--output");
    }

    void add(ExplainInputs.Batch batch, ExplanationBatch result) {
        cams.add(result.cams());
        heatmaps.add(result.heatmaps());
        int mapH = result.heatmaps().dim(1);
        int mapW = result.heatmaps().dim(2);
        int firstMap = 0;
        for (int i = 0; i < batch.names().size(); i++) {
            Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("input", batch.names().get(i));
            if (batch.paths() != null) rec.put("path", batch.paths().get(i).toString());
            rec.put("predictions", result.predictions().get(i).stream().map(ExplanationWriter::json).toList());
            List<Map<String, Object>> explained = new ArrayList<>();
            int mapIndexBase = mapsDone;
            for (int m = firstMap; m < result.size() && result.inputIndex()[m] == i; m++) {
                int cls = result.targetClass()[m];
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("map_index", mapIndexBase + m);
                e.put("index", cls);
                e.put("label", labels.of(cls));
                e.put("probability", result.targetProbability()[m]);
                e.put("target", result.targets()[m].describe());
                e.put("score", result.targetScore()[m]);
                if (batch.hasImages()) {
                    e.put("overlay", writeOverlay(batch, i, result, m, mapH, mapW));
                }
                explained.add(e);
                firstMap = m + 1;
            }
            rec.put("explained", explained);
            records.add(rec);
        }
        mapsDone += result.size();
    }

    private String writeOverlay(ExplainInputs.Batch batch, int i, ExplanationBatch result, int m, int mapH, int mapW) {
        Mat original = batch.originals().get(i);
        String label = labels.of(result.targetClass()[m]);
        String base = batch.names().get(i) + "_" + safe(label);
        Mat over = renderer.overlay(original, batch.regions().get(i), result.heatmaps().data(), m * mapH * mapW, mapH, mapW);
        Path file = dir.resolve(base + ".png");
        Images.writePng(file, over);
        images.add(file);
        if (panel) {
            Mat p = OverlayRenderer.panel(original, over, OverlayRenderer.title(label, result.targetProbability()[m]));
            Path pf = dir.resolve(base + "_panel.png");
            Images.writePng(pf, p);
            images.add(pf);
            p.close();
        }
        over.close();
        return file.getFileName().toString();
    }

    /** Writes the arrays and JSON; returns every file written. */
    List<Path> finish() throws IOException {
        Path camsFile = dir.resolve("cams.npy");
        Path heatFile = dir.resolve("heatmaps.npy");
        Path predFile = dir.resolve("predictions.json");
        Npy.write(camsFile, FloatTensor.concat(cams));
        Npy.write(heatFile, FloatTensor.concat(heatmaps));
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(predFile.toFile(), records);
        List<Path> all = new ArrayList<>(List.of(camsFile, heatFile, predFile));
        all.addAll(images);
        return all;
    }

    private static Map<String, Object> json(Prediction p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", p.index());
        m.put("label", p.label());
        m.put("probability", p.probability());
        return m;
    }

    private static String safe(String label) {
        return label.replaceAll("[^A-Za-z0-9._-]+", "_");
    }
}
