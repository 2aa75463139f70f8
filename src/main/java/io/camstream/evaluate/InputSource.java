package io.camstream.evaluate;

import io.camstream.tensor.FloatTensor;

/** The inputs to evaluate on, served in batches of normalised (N, C, H, W) tensors. */
public interface InputSource {
    int count();

    String name(int index);

    FloatTensor batch(int from, int to);
}
