package io.camstream.model;

import org.bytedeco.pytorch.Tensor;

/** The tensor side of a token layer's reshape {@code (N, T, C) -> (N, C, h, w)}; which grid is the caller's choice. */
public final class TokenMaps {
    private TokenMaps() {
    }

    /** Drops {@code leading} tokens and lays the rest on an {@code h x w} grid, channels first. */
    public static Tensor toMap(Tensor t, int leading, int h, int w) {
        return t.narrow(1, leading, (long) h * w).reshape(t.size(0), h, w, t.size(2)).permute(0, 3, 1, 2).contiguous();
    }
}
