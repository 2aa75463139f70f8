package io.camstream.protocol;

/** How an EXPLAIN request's frame is encoded. */
public enum PayloadFormat {
    RGB8(1),
    BGR8(2),
    JPEG(3),
    PNG(4),
    /** An already-preprocessed 3xHxW float32 tensor. */
    FLOAT32(5);

    public final int code;

    PayloadFormat(int code) {
        this.code = code;
    }

    public boolean isRaw() {
        return this == RGB8 || this == BGR8;
    }

    public boolean isEncodedImage() {
        return this == JPEG || this == PNG;
    }

    public static PayloadFormat of(int code) {
        for (PayloadFormat f : values()) if (f.code == code) return f;
        return null;
    }
}
