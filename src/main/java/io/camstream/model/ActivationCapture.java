package io.camstream.model;

import org.bytedeco.pytorch.Tensor;

import java.util.List;

/** A forward that also returns named layers' outputs: {@link LayerCapture} as built, or its {@link SplitCapture}. */
public interface ActivationCapture {
    List<String> layers();

    /** The model's output and the captured activations, in the order of {@link #layers()}. Caller scopes the tensors. */
    LayerCapture.Result run(Tensor input);
}
