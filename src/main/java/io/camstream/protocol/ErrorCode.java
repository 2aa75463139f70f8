package io.camstream.protocol;

/**
 * Typed errors. The high byte of the wire code is the category, which says whether retrying can help; a receiver
 * maps codes it does not know by their category.
 */
public enum ErrorCode {
    MALFORMED(0x0101),
    INVALID(0x0102),
    UNSUPPORTED_VERSION(0x0103),
    OVERLOADED(0x0201),
    SHUTTING_DOWN(0x0202),
    DEADLINE_EXCEEDED(0x0301),
    UNAUTHENTICATED(0x0401),
    INTERNAL(0x0501);

    /** What a client may do about an error. */
    public enum Category {
        /** The request is wrong: do not retry it. */
        INVALID,
        /** Not processed: safe to retry later or elsewhere. */
        REJECTED,
        DEADLINE,
        UNAUTHENTICATED,
        INTERNAL
    }

    public final int code;

    ErrorCode(int code) {
        this.code = code;
    }

    public Category category() {
        return categoryOf(code);
    }

    public boolean retryable() {
        return category() == Category.REJECTED;
    }

    public static Category categoryOf(int code) {
        return switch (code >>> 8) {
            case 1 -> Category.INVALID;
            case 2 -> Category.REJECTED;
            case 3 -> Category.DEADLINE;
            case 4 -> Category.UNAUTHENTICATED;
            default -> Category.INTERNAL;
        };
    }

    /** The known code, or for an unknown one the representative of its category. */
    public static ErrorCode of(int code) {
        for (ErrorCode c : values()) if (c.code == code) return c;
        return switch (categoryOf(code)) {
            case INVALID -> INVALID;
            case REJECTED -> OVERLOADED;
            case DEADLINE -> DEADLINE_EXCEEDED;
            case UNAUTHENTICATED -> UNAUTHENTICATED;
            case INTERNAL -> INTERNAL;
        };
    }
}
