package io.camstream.protocol;

import java.util.Objects;

/** Which class(es) a request wants explained: the prediction, the top k, or one given class. */
public record Target(TargetKind kind, long value) {
    public Target {
        Objects.requireNonNull(kind, "kind");
        Wire.checkU32(value, "target value");
    }

    public static Target top1() {
        return new Target(TargetKind.TOP1, 0);
    }

    public static Target topK(int k) {
        return new Target(TargetKind.TOPK, k);
    }

    public static Target classIndex(int c) {
        return new Target(TargetKind.CLASS, c);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case TOP1 -> "top1";
            case TOPK -> "top" + value;
            case CLASS -> "class " + value;
        };
    }
}
