package io.camstream.server;

import io.camstream.protocol.ExplainRequest;
import io.camstream.protocol.Payload;
import io.camstream.protocol.PayloadFormat;
import io.camstream.protocol.ResultForm;
import io.camstream.protocol.ResultSpec;
import io.camstream.protocol.Target;
import io.camstream.protocol.Wire;

/** The checks a well-formed EXPLAIN must pass before it is admitted; each failure is one INVALID message. */
final class RequestValidator {
    /** Stream id, frame number, timings, batch size and the two counts: a RESULT body's fixed part. */
    private static final int RESULT_FIXED_BYTES = 4 + 8 + 4 + 4 + 2 + 1 + 1;
    private static final int MAP_HEADER_BYTES = 4 + 4 + 1 + 2 + 2 + 4;

    private final ModelInfo info;

    RequestValidator(ModelInfo info) {
        this.info = info;
    }

    /** Null when the request can be served, else why not. */
    String check(ExplainRequest r) {
        if (!info.methods().contains(r.method())) return "unknown method '" + r.method() + "'; this server offers " + String.join(", ", info.methods());
        String t = checkTarget(r.target());
        if (t != null) return t;
        ResultSpec out = r.result();
        if ((out.height() == 0) != (out.width() == 0)) return "output size " + out.height() + "x" + out.width() + ": give both sides, or 0x0 for the frame's size";
        if (out.height() > Wire.MAX_OUTPUT_SIDE || out.width() > Wire.MAX_OUTPUT_SIDE) {
            return "output size " + out.height() + "x" + out.width() + " exceeds " + Wire.MAX_OUTPUT_SIDE + " per side";
        }
        if (out.form() == ResultForm.JPEG_OVERLAY && r.payload().format() == PayloadFormat.FLOAT32) {
            return "a JPEG overlay needs an image payload; a FLOAT32 tensor has nothing to draw over";
        }
        return checkPayload(r.payload());
    }

    private String checkTarget(Target t) {
        return switch (t.kind()) {
            case TOP1 -> t.value() != 0 ? "TOP1 takes targetValue 0, got " + t.value() + " (use CLASS to name a class, TOPK for k classes)" : null;
            case TOPK -> t.value() < 1 || t.value() > Math.min(info.numClasses(), 255)
                    ? "top-k needs 1 <= k <= " + Math.min(info.numClasses(), 255) + ", got k = " + t.value() : null;
            case CLASS -> t.value() >= info.numClasses() ? outOfRange("target class", t.value()) : null;
            case CONTRAST -> t.contrastA() >= info.numClasses() ? outOfRange("contrast class A", t.contrastA())
                    : t.contrastB() >= info.numClasses() ? outOfRange("contrast class B", t.contrastB())
                    : t.contrastA() == t.contrastB() ? "a contrast needs two different classes, got " + t.contrastA() + " and " + t.contrastB() : null;
        };
    }

    private String outOfRange(String what, long c) {
        return what + " " + c + " is out of range: the model has " + info.numClasses() + " classes (0.." + (info.numClasses() - 1) + ")";
    }

    private String checkPayload(Payload p) {
        long n = p.bytes().length;
        return switch (p.format()) {
            case RGB8, BGR8 -> {
                if (p.height() < 1 || p.width() < 1) yield p.format() + " payload needs its height and width, got " + p.height() + "x" + p.width();
                long want = (long) p.height() * p.width() * 3;
                yield n == want ? null : p.format() + " payload of " + p.height() + "x" + p.width() + " needs " + want + " bytes, got " + n;
            }
            case JPEG, PNG -> n == 0 ? "empty " + p.format() + " payload" : null;
            case FLOAT32 -> {
                if (p.height() != info.inputHeight() || p.width() != info.inputWidth()) {
                    yield "FLOAT32 tensors must be 3x" + info.inputHeight() + "x" + info.inputWidth() + " (the model's input), got 3x" + p.height() + "x" + p.width();
                }
                long want = 3L * p.height() * p.width() * 4;
                yield n == want ? null : "FLOAT32 payload of 3x" + p.height() + "x" + p.width() + " needs " + want + " bytes, got " + n;
            }
        };
    }

    /**
     * The fewest bytes a RESULT with {@code maps} maps of this size can take (predictions and JPEG data left out), so
     * that a request whose result cannot fit the client's frames is refused before compute; the assembled result's
     * exact size is checked again before it is sent.
     */
    static long minResultFrameBytes(ResultForm form, int maps, int height, int width) {
        long pixels = (long) height * width;
        long perMap = switch (form) {
            case FLOAT32 -> pixels * 4;
            case UINT8 -> pixels;
            case JPEG_OVERLAY -> 0;
        };
        return Wire.HEADER_BYTES + RESULT_FIXED_BYTES + maps * (MAP_HEADER_BYTES + perMap);
    }

    /** Maps a result will carry for this target. */
    static int mapCount(Target t) {
        return t.kind() == io.camstream.protocol.TargetKind.TOPK ? (int) t.value() : 1;
    }
}
