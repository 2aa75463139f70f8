package io.camstream.protocol;

/** Numbers fixed by {@code docs/protocol.md}. */
public final class Wire {
    /** The bytes {@code C A M S} read as a little-endian int. */
    public static final int MAGIC = 0x534D4143;
    public static final int HEADER_BYTES = 16;
    /** The oldest protocol version this implementation speaks. */
    public static final int MIN_VERSION = 1;
    /** The newest: version 2 adds the CONTRAST target kind ({@link TargetKind#sinceVersion}). */
    public static final int VERSION = 2;
    /** Limit on the server's side until the handshake is done: a HELLO is tiny. */
    public static final int HANDSHAKE_FRAME_LIMIT = 4096;
    /** No side may announce a larger maximum frame than this. */
    public static final int MAX_FRAME_LIMIT = 64 << 20;
    public static final int DEFAULT_MAX_FRAME = 16 << 20;
    /** Largest output height or width a request may ask for. */
    public static final int MAX_OUTPUT_SIDE = 4096;
    public static final int MAX_CLIENT_NAME_BYTES = 256;
    public static final int MAX_TOKEN_BYTES = 1024;
    public static final int MAX_STRING_BYTES = 65535;

    private Wire() {
    }

    static long checkU32(long v, String what) {
        if (v < 0 || v > 0xFFFF_FFFFL) throw new IllegalArgumentException(what + " must fit in u32, got " + v);
        return v;
    }

    static int checkU16(int v, String what) {
        if (v < 0 || v > 0xFFFF) throw new IllegalArgumentException(what + " must fit in u16, got " + v);
        return v;
    }

    static int checkU8(int v, String what) {
        if (v < 0 || v > 0xFF) throw new IllegalArgumentException(what + " must fit in u8, got " + v);
        return v;
    }
}
