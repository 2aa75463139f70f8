package io.camstream.protocol;

/** Frame types, with the wire value of each. */
public enum Opcode {
    HELLO(0x01),
    HELLO_OK(0x02),
    EXPLAIN(0x03),
    RESULT(0x04),
    ERROR(0x05),
    PING(0x06),
    PONG(0x07),
    GOODBYE(0x08);

    private static final Opcode[] BY_CODE = new Opcode[256];

    static {
        for (Opcode o : values()) BY_CODE[o.code] = o;
    }

    public final int code;

    Opcode(int code) {
        this.code = code;
    }

    /** The opcode with this wire value, or null. */
    public static Opcode of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
