package io.camstream.model;

import io.camstream.CamstreamException;

import java.util.Comparator;
import java.util.List;

/**
 * A layer path that is not a submodule of the model. The message suggests the closest path, names a few top-level
 * layers and points to `camstream layers` rather than listing every module (hundreds in a ResNet-50).
 */
public class UnknownLayerException extends CamstreamException {
    private static final int LISTED = 8;
    private final String layer;
    private final List<String> validLayers;

    public UnknownLayerException(String layer, List<String> validLayers) {
        super(message(layer, validLayers));
        this.layer = layer;
        this.validLayers = List.copyOf(validLayers);
    }

    private static String message(String layer, List<String> valid) {
        StringBuilder b = new StringBuilder("unknown layer '").append(layer).append("'");
        String closest = closest(layer, valid);
        b.append(closest != null ? "; did you mean " + closest + "?" : ".");
        List<String> top = valid.stream().filter(p -> !p.contains(".")).toList();
        List<String> shown = (top.isEmpty() ? valid : top).stream().limit(LISTED).toList();
        if (!shown.isEmpty()) {
            b.append(" Layers include ").append(String.join(", ", shown));
            if (valid.size() > shown.size()) b.append(" (").append(valid.size()).append(" in all)");
            b.append(";");
        }
        return b.append(" `camstream layers --model FILE` lists them with their output shapes").toString();
    }

    /** The valid path nearest in edit distance, if near enough to be a likely typo. */
    static String closest(String layer, List<String> valid) {
        String best = valid.stream().min(Comparator.comparingInt((String v) -> distance(layer, v)).thenComparingInt(String::length)).orElse(null);
        if (best == null) return null;
        return distance(layer, best) <= Math.max(2, layer.length() / 3) ? best : null;
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    public String layer() {
        return layer;
    }

    public List<String> validLayers() {
        return validLayers;
    }
}
