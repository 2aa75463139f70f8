package io.camstream.evaluate;

import io.camstream.image.Images;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.FONT_HERSHEY_SIMPLEX;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.line;
import static org.bytedeco.opencv.global.opencv_imgproc.putText;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;

/** Mean deletion and insertion curves of every method, side by side, with axes, grid and a legend (OpenCV). */
final class EvaluationChart {
    private static final int PANEL_W = 560;
    private static final int PANEL_H = 400;
    private static final int LEFT = 70;
    private static final int TOP = 50;
    private static final int PLOT_W = 440;
    private static final int PLOT_H = 290;
    /** Tableau-10 colours, BGR. */
    private static final int[][] COLOURS = {{180, 119, 31}, {14, 127, 255}, {44, 160, 44}, {40, 39, 214}, {189, 103, 148},
            {75, 86, 140}, {194, 119, 227}, {34, 189, 188}, {207, 190, 23}, {127, 127, 127}, {0, 0, 0}, {120, 200, 250}, {90, 60, 160}};

    private EvaluationChart() {
    }

    static void write(Path file, Map<String, MethodResult> results) {
        List<MethodResult> shown = new ArrayList<>();
        for (MethodResult r : results.values()) if (r.skipped() == null && r.count() > 0) shown.add(r);
        int legendRows = shown.size();
        int legendH = 30 + 24 * legendRows;
        int height = PANEL_H + legendH;
        try (Mat canvas = new Mat(height, 2 * PANEL_W, CV_8UC3, new Scalar(255, 255, 255, 0))) {
            panel(canvas, 0, "Deletion: most relevant pixels removed first", "lower is better", shown, true);
            panel(canvas, PANEL_W, "Insertion: most relevant pixels added first", "higher is better", shown, false);
            int y = PANEL_H + 10;
            text(canvas, "Mean softmax probability of the explained class over " + (shown.isEmpty() ? 0 : shown.get(0).count())
                    + " input(s); AUC by the trapezoid rule (deletion / insertion):", LEFT, y + 8, 0.5, 1, black());
            for (int i = 0; i < shown.size(); i++) {
                MethodResult r = shown.get(i);
                int ly = y + 34 + 24 * i;
                Scalar c = colour(i, r.method());
                line(canvas, new Point(LEFT, ly - 5), new Point(LEFT + 40, ly - 5), c, r.method().equals(Evaluator.RANDOM) ? 1 : 2, LINE_AA, 0);
                text(canvas, r.method(), LEFT + 52, ly, 0.5, 1, black());
                text(canvas, String.format(Locale.ROOT, "deletion %.3f", r.mean(ImageScores::deletionAuc)), LEFT + 230, ly, 0.5, 1, black());
                text(canvas, String.format(Locale.ROOT, "insertion %.3f", r.mean(ImageScores::insertionAuc)), LEFT + 380, ly, 0.5, 1, black());
            }
            Images.writePng(file, canvas);
        }
    }

    private static void panel(Mat canvas, int x0, String title, String note, List<MethodResult> shown, boolean deletion) {
        int left = x0 + LEFT;
        text(canvas, title, left, 24, 0.55, 1, black());
        text(canvas, "(" + note + ")", left, 42, 0.45, 1, grey(90));
        rectangle(canvas, new Point(left, TOP), new Point(left + PLOT_W, TOP + PLOT_H), grey(0), 1, LINE_AA, 0);
        for (int t = 0; t <= 5; t++) {
            double v = t / 5.0;
            int gx = left + (int) Math.round(v * PLOT_W);
            int gy = TOP + PLOT_H - (int) Math.round(v * PLOT_H);
            if (t > 0 && t < 5) {
                line(canvas, new Point(gx, TOP), new Point(gx, TOP + PLOT_H), grey(225), 1, LINE_AA, 0);
                line(canvas, new Point(left, gy), new Point(left + PLOT_W, gy), grey(225), 1, LINE_AA, 0);
            }
            line(canvas, new Point(gx, TOP + PLOT_H), new Point(gx, TOP + PLOT_H + 5), grey(0), 1, LINE_AA, 0);
            line(canvas, new Point(left - 5, gy), new Point(left, gy), grey(0), 1, LINE_AA, 0);
            String label = String.format(Locale.ROOT, "%.1f", v);
            text(canvas, label, gx - 10, TOP + PLOT_H + 20, 0.42, 1, black());
            text(canvas, label, left - 36, gy + 5, 0.42, 1, black());
        }
        text(canvas, "fraction of pixels " + (deletion ? "removed" : "inserted"), left + PLOT_W / 2 - 90, TOP + PLOT_H + 42, 0.48, 1, black());
        text(canvas, "p(class)", x0 + 4, TOP - 8, 0.42, 1, black());
        for (int i = 0; i < shown.size(); i++) {
            MethodResult r = shown.get(i);
            double[] c = r.meanCurve(deletion ? ImageScores::deletion : ImageScores::insertion);
            Scalar colour = colour(i, r.method());
            int thickness = r.method().equals(Evaluator.RANDOM) ? 1 : 2;
            for (int k = 0; k + 1 < c.length; k++) {
                Point a = new Point(left + (int) Math.round((double) k / (c.length - 1) * PLOT_W), TOP + PLOT_H - (int) Math.round(clamp(c[k]) * PLOT_H));
                Point b = new Point(left + (int) Math.round((double) (k + 1) / (c.length - 1) * PLOT_W), TOP + PLOT_H - (int) Math.round(clamp(c[k + 1]) * PLOT_H));
                line(canvas, a, b, colour, thickness, LINE_AA, 0);
            }
        }
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }

    private static Scalar colour(int i, String method) {
        if (method.equals(Evaluator.RANDOM)) return grey(120);
        int[] c = COLOURS[i % COLOURS.length];
        return new Scalar(c[0], c[1], c[2], 0);
    }

    private static Scalar black() {
        return grey(0);
    }

    private static Scalar grey(int v) {
        return new Scalar(v, v, v, 0);
    }

    private static void text(Mat canvas, String s, int x, int y, double scale, int thickness, Scalar colour) {
        putText(canvas, s, new Point(x, y), FONT_HERSHEY_SIMPLEX, scale, colour, thickness, LINE_AA, false);
    }
}
