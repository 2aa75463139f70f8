package io.camstream.protocol;

/** What a result's maps are: float32 values in [0, 1], bytes round(255 v), or a JPEG overlay. */
public enum ResultForm {
    FLOAT32(1),
    UINT8(2),
    JPEG_OVERLAY(3);

    public final int code;

    ResultForm(int code) {
        this.code = code;
    }

    public static ResultForm of(int code) {
        for (ResultForm f : values()) if (f.code == code) return f;
        return null;
    }
}
