package io.camstream.model;

import io.camstream.InvalidInputException;

import java.util.Locale;

/**
 * Which call of a layer to capture when forward() calls the same module more than once (a shared ReLU, a block
 * applied twice): {@code first} (the default, as pytorch-grad-cam, whose hooks' first recorded activation and
 * gradient are the first call's), {@code last}, or the n-th (1-based).
 *
 * @param index 1-based call, or {@link #FIRST_INDEX} / {@link #LAST_INDEX}
 */
public record LayerCall(int index) {
    static final int FIRST_INDEX = 1;
    static final int LAST_INDEX = -1;
    public static final LayerCall FIRST = new LayerCall(FIRST_INDEX);
    public static final LayerCall LAST = new LayerCall(LAST_INDEX);

    public LayerCall {
        if (index < 1 && index != LAST_INDEX) throw new InvalidInputException("--call must be first, last or a call number from 1, got " + index);
    }

    /** {@code first}, {@code last} or a 1-based call number. */
    public static LayerCall parse(String text) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("first")) return FIRST;
        if (t.equals("last")) return LAST;
        try {
            return new LayerCall(Integer.parseInt(t));
        } catch (NumberFormatException e) {
            throw new InvalidInputException("--call must be first, last or a call number from 1, got '" + text + "'");
        }
    }

    /** The 0-based position among {@code calls} calls, or -1 when there are fewer. */
    int pick(int calls) {
        if (index == LAST_INDEX) return calls - 1;
        return index <= calls ? index - 1 : -1;
    }

    @Override
    public String toString() {
        return index == LAST_INDEX ? "last" : index == FIRST_INDEX ? "first" : Integer.toString(index);
    }
}
