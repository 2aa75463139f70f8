package io.camstream.protocol;

/** Which classes a request wants explained, and the protocol version that first defines each kind. */
public enum TargetKind {
    TOP1(1, 1),
    TOPK(2, 1),
    CLASS(3, 1),
    /** Logit A minus logit B ("why A rather than B?"); targetValue = A | B << 16. */
    CONTRAST(4, 2);

    public final int code;
    /** The first protocol version in which this kind exists. */
    public final int sinceVersion;

    TargetKind(int code, int sinceVersion) {
        this.code = code;
        this.sinceVersion = sinceVersion;
    }

    /** Why this kind cannot travel on a connection (or in a record) of {@code version}, or null when it can. */
    public String undefinedIn(int version) {
        return sinceVersion <= version ? null
                : "targetKind " + code + " (" + this + ") is not defined in protocol version " + version + "; it needs version " + sinceVersion;
    }

    public static TargetKind of(int code) {
        for (TargetKind k : values()) if (k.code == code) return k;
        return null;
    }
}
