package io.camstream.explain;

/** One ranked class of one input: index, label (the index as text when no labels are known), softmax probability. */
public record Prediction(int index, String label, double probability) {
}
