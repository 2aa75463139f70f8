package io.camstream.model;

import java.util.Arrays;

/**
 * A capturable layer: its module path and the output shape for a given input (batch 1), in execution order.
 * {@code shape} is null when the layer's output is not a tensor.
 */
public record LayerInfo(String path, int[] shape) {
    /** True for 4-D (N,C,h,w) outputs with more than one spatial position: where a CAM can be computed. */
    public boolean isSpatial() {
        return shape != null && shape.length == 4 && (long) shape[2] * shape[3] > 1;
    }

    /** True for 3-D (N, T, C) outputs with several tokens: a transformer block's, mapped with {@code --reshape}. */
    public boolean isTokens() {
        return shape != null && shape.length == 3 && shape[1] > 1;
    }

    public String shapeText() {
        return shape == null ? "(not a tensor)" : Arrays.toString(shape);
    }
}
