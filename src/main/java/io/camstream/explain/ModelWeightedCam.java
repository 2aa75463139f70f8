package io.camstream.explain;

/**
 * A layer method whose map is a weighted sum of the layer's activation channels, {@code sum_c w_c A_c}, with
 * weights that need more than one input's activations: the model itself (ScoreCAM's masked forwards, CAM's
 * classifier weights). The {@link Explainer} forms the sum (or, with {@code --eigen-smooth}, the first principal
 * component of the weighted channels), so these methods only compute weights.
 */
public interface ModelWeightedCam extends ExplanationMethod {
    /**
     * @param layer index into {@link ExplanationContext#layers()}
     * @return (maps x C) weights, one row per explained pair in the context's map order
     */
    float[] channelWeights(ExplanationContext context, int layer);
}
