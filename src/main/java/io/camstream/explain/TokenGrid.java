package io.camstream.explain;

import io.camstream.InvalidInputException;

import java.util.Locale;

/**
 * How a transformer block's token output {@code (N, T, C)} becomes a map {@code (N, C, h, w)} (pytorch-grad-cam's
 * {@code reshape_transform} for ViT/Swin): {@code tokens} takes a square grid, dropping a leading class token when
 * {@code T - 1} is a square and {@code T} is not; {@code HxW} takes an {@code H x W} grid, dropping the one leading
 * token when {@code T = H*W + 1}. Activations and gradients get the same transform.
 *
 * @param height rows of the grid, 0 for square
 * @param width  columns of the grid, 0 for square
 */
public record TokenGrid(int height, int width) {
    public static final TokenGrid SQUARE = new TokenGrid(0, 0);

    public TokenGrid {
        if (height < 0 || width < 0 || (height == 0) != (width == 0)) throw new InvalidInputException("--reshape needs a positive HxW, got " + height + "x" + width);
    }

    /** {@code tokens} or {@code HxW}. */
    public static TokenGrid parse(String text) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("tokens")) return SQUARE;
        String[] hw = t.split("x");
        try {
            if (hw.length == 2) {
                int h = Integer.parseInt(hw[0]);
                int w = Integer.parseInt(hw[1]);
                if (h > 0 && w > 0) return new TokenGrid(h, w);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidInputException("--reshape must be tokens or HxW (e.g. 14x14), got '" + text + "'");
    }

    /** The grid {@code {leading tokens dropped, h, w}} for {@code tokens} tokens, or null when they do not fit it. */
    int[] fit(long tokens) {
        if (height > 0) {
            if (tokens == (long) height * width) return new int[]{0, height, width};
            if (tokens == (long) height * width + 1) return new int[]{1, height, width};
            return null;
        }
        int side = (int) Math.round(Math.sqrt(tokens));
        if ((long) side * side == tokens) return new int[]{0, side, side};
        side = (int) Math.round(Math.sqrt(tokens - 1));
        if ((long) side * side == tokens - 1) return new int[]{1, side, side};
        return null;
    }

    /**
     * The grid {@code {leading tokens dropped, h, w}} for a layer of {@code tokens} tokens.
     *
     * @throws NonSpatialLayerException when the tokens do not fit the grid
     */
    int[] gridFor(long tokens, String layer) {
        int[] g = fit(tokens);
        if (g == null) {
            throw new NonSpatialLayerException("layer '" + layer + "' outputs " + tokens + " tokens, which do not fill "
                    + (height > 0 ? "a " + height + "x" + width + " grid (with or without one class token)" : "a square grid (with or without one class token); give --reshape HxW"));
        }
        return g;
    }

    @Override
    public String toString() {
        return height == 0 ? "tokens" : height + "x" + width;
    }
}
