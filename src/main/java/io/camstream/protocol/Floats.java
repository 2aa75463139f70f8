package io.camstream.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** float32 arrays to and from little-endian bytes, the wire's order. */
public final class Floats {
    private Floats() {
    }

    public static byte[] toBytes(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }

    public static float[] fromBytes(byte[] bytes) {
        if (bytes.length % 4 != 0) throw new IllegalArgumentException("float32 data needs a multiple of 4 bytes, got " + bytes.length);
        float[] out = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }
}
