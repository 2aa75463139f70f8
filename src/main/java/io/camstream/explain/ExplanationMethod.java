package io.camstream.explain;

/**
 * Any explanation method. All of them return the same {@link ExplanationBatch} (one map per explained input and
 * class); they differ in what they need, which is what the {@link Explainer} dispatches on:
 * <ul>
 *   <li>{@link CamMethod}: one input's activations (and gradients) at a layer, turned into a map on the layer's grid
 *       (Grad-CAM, Grad-CAM++, XGrad-CAM, LayerCAM, HiResCAM, EigenCAM, activations);</li>
 *   <li>{@link ModelWeightedCam}: a weighted sum of a layer's activation channels whose weights need the model once
 *       more (ScoreCAM's masked forwards, CAM's classifier weights);</li>
 *   <li>{@link InputMethod}: maps on the input grid from methods that drive the model themselves (occlusion, guided
 *       backpropagation, guided Grad-CAM).</li>
 * </ul>
 */
public interface ExplanationMethod {
    /** The name used on the command line and over the wire, e.g. {@code gradcam}. */
    String name();

    /** Whether the shared pass must back-propagate each target score to the captured layer(s). */
    boolean usesGradients();

    /** False for methods that never look at a layer (occlusion, guided backprop): {@code --layer} is then ignored. */
    default boolean usesLayers() {
        return true;
    }
}
