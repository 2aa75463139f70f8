package io.camstream.protocol;

import java.util.Objects;

/** Which class(es) a request wants explained: the prediction, the top k, one given class, or (version 2) a contrast of two. */
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

    /** Version 2: the score logit(a) - logit(b), for classes below 65536. */
    public static Target contrast(int a, int b) {
        Wire.checkU16(a, "contrast class A");
        Wire.checkU16(b, "contrast class B");
        return new Target(TargetKind.CONTRAST, a | ((long) b << 16));
    }

    /**
     * {@code top1}, {@code topK} (e.g. {@code top3}), a class index ({@code 3}) or a contrast {@code A-B} ({@code 3-7}:
     * why 3 rather than 7).
     *
     * @throws IllegalArgumentException naming what was wrong
     */
    public static Target parse(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (t.equals("top1")) return top1();
            if (t.startsWith("top")) {
                int k = Integer.parseInt(t.substring(3));
                if (k < 1) throw new IllegalArgumentException("top-k needs k >= 1, got " + t);
                return topK(k);
            }
            int dash = t.indexOf('-', 1);
            if (dash < 0) {
                int c = Integer.parseInt(t);
                if (c < 0) throw new IllegalArgumentException("a class index must not be negative, got " + c);
                return classIndex(c);
            }
            int a = Integer.parseInt(t.substring(0, dash).trim());
            int b = Integer.parseInt(t.substring(dash + 1).trim());
            if (a == b) throw new IllegalArgumentException("a contrast needs two different classes, got " + a + "-" + b);
            return contrast(a, b);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a target is top1, topK (e.g. top3), a class index (3) or a contrast A-B (3-7), got '" + text + "'");
        }
    }

    /** A contrast's first class (the one explained). */
    public int contrastA() {
        return (int) (value & 0xFFFF);
    }

    /** A contrast's second class (the one explained against). */
    public int contrastB() {
        return (int) (value >>> 16);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case TOP1 -> "top1";
            case TOPK -> "top" + value;
            case CLASS -> "class " + value;
            case CONTRAST -> "class " + contrastA() + " rather than " + contrastB();
        };
    }
}
