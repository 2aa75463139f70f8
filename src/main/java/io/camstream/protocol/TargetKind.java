package io.camstream.protocol;

/** Which classes a request wants explained. */
public enum TargetKind {
    TOP1(1),
    TOPK(2),
    CLASS(3);

    public final int code;

    TargetKind(int code) {
        this.code = code;
    }

    public static TargetKind of(int code) {
        for (TargetKind k : values()) if (k.code == code) return k;
        return null;
    }
}
