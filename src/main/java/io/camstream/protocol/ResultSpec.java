package io.camstream.protocol;

import java.util.Objects;

/** The form and size of the maps a request wants back; size 0x0 means the frame's own size. */
public record ResultSpec(ResultForm form, int height, int width) {
    public ResultSpec {
        Objects.requireNonNull(form, "form");
        Wire.checkU16(height, "output height");
        Wire.checkU16(width, "output width");
    }

    public static ResultSpec of(ResultForm form) {
        return new ResultSpec(form, 0, 0);
    }

    public boolean nativeSize() {
        return height == 0 && width == 0;
    }
}
