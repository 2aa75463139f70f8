package io.camstream.protocol;

import java.util.Arrays;
import java.util.Objects;

/**
 * The frame of an EXPLAIN request. Height and width describe raw pixels and tensors; encoded images carry 0x0.
 * The bytes are not copied: callers must not change them afterwards.
 */
public record Payload(PayloadFormat format, int height, int width, byte[] bytes) {
    public Payload {
        Objects.requireNonNull(format, "format");
        Wire.checkU16(height, "payload height");
        Wire.checkU16(width, "payload width");
        Objects.requireNonNull(bytes, "bytes");
    }

    public static Payload rgb8(int height, int width, byte[] pixels) {
        return new Payload(PayloadFormat.RGB8, height, width, pixels);
    }

    public static Payload bgr8(int height, int width, byte[] pixels) {
        return new Payload(PayloadFormat.BGR8, height, width, pixels);
    }

    public static Payload jpeg(byte[] bytes) {
        return new Payload(PayloadFormat.JPEG, 0, 0, bytes);
    }

    public static Payload png(byte[] bytes) {
        return new Payload(PayloadFormat.PNG, 0, 0, bytes);
    }

    /** A preprocessed 3xHxW tensor, little-endian float32. */
    public static Payload float32(int height, int width, float[] chw) {
        return new Payload(PayloadFormat.FLOAT32, height, width, Floats.toBytes(chw));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Payload p && format == p.format && height == p.height && width == p.width && Arrays.equals(bytes, p.bytes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(format, height, width, Arrays.hashCode(bytes));
    }

    @Override
    public String toString() {
        return "Payload[" + format + " " + height + "x" + width + ", " + bytes.length + " bytes]";
    }
}
