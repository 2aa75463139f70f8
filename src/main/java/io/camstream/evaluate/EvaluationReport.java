package io.camstream.evaluate;

import io.camstream.InvalidInputException;
import io.camstream.explain.Labels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The evaluation's files: {@code evaluation.csv} (one row per input and method), {@code summary.csv} (one row per
 * method: the comparison table), {@code curves.csv} (mean deletion and insertion curves) and {@code curves.png}.
 */
public final class EvaluationReport {
    static final String[] SUMMARY_HEADER = {"method", "inputs", "deletion_auc", "insertion_auc", "average_drop_pct", "increase_in_confidence_pct",
            "road_morf", "road_lerf", "road_combined", "explain_ms_per_input"};

    private EvaluationReport() {
    }

    public static List<Path> write(Path dir, Map<String, MethodResult> results, Labels labels, double[] roadFractions) {
        try {
            Files.createDirectories(dir);
            List<Path> files = new ArrayList<>();
            files.add(writeRows(dir.resolve("evaluation.csv"), results, labels, roadFractions));
            files.add(writeSummary(dir.resolve("summary.csv"), results));
            files.add(writeCurves(dir.resolve("curves.csv"), results));
            Path png = dir.resolve("curves.png");
            EvaluationChart.write(png, results);
            files.add(png);
            return files;
        } catch (IOException e) {
            throw new InvalidInputException("cannot write the evaluation to " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Path writeRows(Path file, Map<String, MethodResult> results, Labels labels, double[] fractions) throws IOException {
        StringBuilder sb = new StringBuilder("input,method,target,label,probability,deletion_auc,insertion_auc,drop_pct,increase,road_morf,road_lerf,road_combined");
        for (double f : fractions) sb.append(String.format(Locale.ROOT, ",morf_%d", Math.round(f * 100)));
        for (double f : fractions) sb.append(String.format(Locale.ROOT, ",lerf_%d", Math.round(f * 100)));
        sb.append('\n');
        for (MethodResult r : results.values()) {
            for (int i = 0; i < r.count(); i++) {
                ImageScores s = r.scores().get(i);
                sb.append(csv(r.inputs().get(i))).append(',').append(r.method()).append(',').append(r.targets().get(i)).append(',')
                        .append(csv(labels.of(r.targets().get(i))));
                for (double v : new double[]{s.probability(), s.deletionAuc(), s.insertionAuc(), s.drop()}) sb.append(',').append(num(v));
                sb.append(',').append(s.increase() ? 1 : 0);
                for (double v : new double[]{s.roadMorfMean(), s.roadLerfMean(), s.roadCombined()}) sb.append(',').append(num(v));
                for (double v : s.roadMorf()) sb.append(',').append(num(v));
                for (double v : s.roadLerf()) sb.append(',').append(num(v));
                sb.append('\n');
            }
        }
        Files.writeString(file, sb);
        return file;
    }

    private static Path writeSummary(Path file, Map<String, MethodResult> results) throws IOException {
        StringBuilder sb = new StringBuilder(String.join(",", SUMMARY_HEADER)).append('\n');
        for (MethodResult r : results.values()) {
            if (r.skipped() != null) continue;
            sb.append(r.method());
            double[] row = summaryRow(r);
            sb.append(',').append((int) row[0]);
            for (int i = 1; i < row.length; i++) sb.append(',').append(num(row[i]));
            sb.append('\n');
        }
        Files.writeString(file, sb);
        return file;
    }

    private static double[] summaryRow(MethodResult r) {
        return new double[]{r.count(), r.mean(ImageScores::deletionAuc), r.mean(ImageScores::insertionAuc), r.mean(ImageScores::drop),
                r.increasePercent(), r.mean(ImageScores::roadMorfMean), r.mean(ImageScores::roadLerfMean), r.mean(ImageScores::roadCombined),
                r.method().equals(Evaluator.RANDOM) ? Double.NaN : r.millisPerInput()};
    }

    private static Path writeCurves(Path file, Map<String, MethodResult> results) throws IOException {
        StringBuilder sb = new StringBuilder("method,curve,fraction,mean_probability\n");
        for (MethodResult r : results.values()) {
            if (r.skipped() != null || r.count() == 0) continue;
            for (String kind : new String[]{"deletion", "insertion"}) {
                double[] c = r.meanCurve(kind.equals("deletion") ? ImageScores::deletion : ImageScores::insertion);
                for (int i = 0; i < c.length; i++) {
                    sb.append(r.method()).append(',').append(kind).append(',').append(num((double) i / (c.length - 1))).append(',').append(num(c[i])).append('\n');
                }
            }
        }
        Files.writeString(file, sb);
        return file;
    }

    /** The comparison table for the terminal; arrows say which direction is better. */
    public static String table(Map<String, MethodResult> results) {
        String[] head = {"method", "inputs", "deletion AUC (lower)", "insertion AUC (higher)", "avg drop % (lower)", "increase % (higher)",
                "ROAD MoRF (lower)", "ROAD LeRF (higher)", "ROAD combined (higher)", "ms/input"};
        List<String[]> rows = new ArrayList<>();
        rows.add(head);
        for (MethodResult r : results.values()) {
            if (r.skipped() != null) continue;
            double[] v = summaryRow(r);
            String[] row = new String[head.length];
            row[0] = r.method();
            row[1] = Integer.toString((int) v[0]);
            for (int i = 1; i < v.length; i++) {
                boolean pct = i == 3 || i == 4;
                row[i + 1] = Double.isNaN(v[i]) ? "-" : String.format(Locale.ROOT, i == 8 ? "%.1f" : pct ? "%.1f" : "%.4f", v[i]);
            }
            rows.add(row);
        }
        int[] width = new int[head.length];
        for (String[] row : rows) for (int i = 0; i < row.length; i++) width[i] = Math.max(width[i], row[i].length());
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < rows.size(); k++) {
            String[] row = rows.get(k);
            for (int i = 0; i < row.length; i++) {
                sb.append(i == 0 ? String.format("%-" + width[i] + "s", row[i]) : String.format("  %" + width[i] + "s", row[i]));
            }
            sb.append('\n');
            if (k == 0) {
                for (int i = 0; i < row.length; i++) sb.append(i == 0 ? "" : "  ").append("-".repeat(width[i]));
                sb.append('\n');
            }
        }
        for (MethodResult r : results.values()) {
            if (r.skipped() != null) sb.append("skipped ").append(r.method()).append(": ").append(r.skipped()).append('\n');
        }
        return sb.toString();
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
