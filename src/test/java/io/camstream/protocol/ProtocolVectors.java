package io.camstream.protocol;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The shared protocol test vectors of {@code docs/protocol-vectors/}: frames of every message type and edge case,
 * made with this codec, each with a JSON description that the Java and the Python tests both check.
 *
 * <p>Regenerate (after a protocol change) with
 * {@code mvn -B -q test -Dtest=ProtocolVectorsTest -Dcamstream.vectors.write=true}; without the property the test
 * fails when the committed files differ from what this class makes.
 */
public final class ProtocolVectors {
    /** Where the vectors live, relative to the repository root. */
    public static final Path DIRECTORY = Path.of("docs", "protocol-vectors");
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final HexFormat HEX = HexFormat.of();

    /**
     * What a receiver does with a vector that it must refuse, or what the server answers to one that decodes but
     * that it must not serve.
     *
     * @param code             the error code the answer carries
     * @param requestId        the answer's request id
     * @param closesConnection whether the connection is closed after the answer
     */
    public record Answer(ErrorCode code, long requestId, boolean closesConnection) {
    }

    /**
     * One vector.
     *
     * @param context      {@code first-frame} (the connection's first frame, before the handshake),
     *                     {@code after-handshake} (a handshake that agreed on the newest version) or
     *                     {@code after-handshake-v1} (one that agreed on version 1)
     * @param message      the decoded message, or null when the bytes must not decode
     * @param decodeError  for bytes that must not decode: the receiver's answer
     * @param serverAnswer for a client frame that decodes but that the server refuses: its answer
     */
    public record Vector(String name, String description, String direction, String context, byte[] bytes, Message message,
                         Answer decodeError, Answer serverAnswer) {
    }

    private ProtocolVectors() {
    }

    private static byte[] frame(Message m) {
        ByteBuf b = Unpooled.buffer();
        MessageCodec.encode(m, b);
        byte[] out = ByteBufUtil.getBytes(b);
        b.release();
        return out;
    }

    private static Vector ok(String name, String description, String direction, Message m) {
        return new Vector(name, description, direction, "after-handshake", frame(m), m, null, null);
    }

    private static Vector refusedByServer(String name, String description, String context, Message m, Answer answer) {
        return new Vector(name, description, "client-to-server", context, frame(m), m, null, answer);
    }

    private static Vector broken(String name, String description, String direction, String context, byte[] bytes, Answer answer) {
        return new Vector(name, description, direction, context, bytes, null, answer, null);
    }

    private static byte[] rgb(int h, int w) {
        byte[] px = new byte[h * w * 3];
        for (int i = 0; i < px.length; i++) px[i] = (byte) (i * 37 + 11);
        return px;
    }

    private static ExplainRequest explain(long id, Target target, ResultSpec result, Payload payload) {
        return new ExplainRequest(id, 3, 42, "gradcam", target, 100_000, 0, result, payload);
    }

    private static byte[] withByte(byte[] frame, int offset, int value) {
        byte[] b = frame.clone();
        b[offset] = (byte) value;
        return b;
    }

    private static byte[] withU32(byte[] frame, int offset, long value) {
        byte[] b = frame.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(offset, (int) value);
        return b;
    }

    /** A frame with this opcode, request id and body, its length field set to the body's length. */
    private static byte[] rawFrame(int opcode, long requestId, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(Wire.HEADER_BYTES + body.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(Wire.MAGIC).put((byte) opcode).put((byte) 0).putShort((short) 0).putInt((int) requestId).putInt(body.length).put(body);
        return b.array();
    }

    private static byte[] body(byte[] frame) {
        return java.util.Arrays.copyOfRange(frame, Wire.HEADER_BYTES, frame.length);
    }

    /** Every vector, in a fixed order. */
    public static List<Vector> all() {
        List<Vector> v = new ArrayList<>();
        String c2s = "client-to-server";
        String s2c = "server-to-client";
        String both = "both";
        ResultSpec f32 = new ResultSpec(ResultForm.FLOAT32, 2, 2);

        // --- every message type, well formed ---
        v.add(ok("hello", "HELLO without a token: versions 1..1 (a version-1 client), frames up to 16 MiB", c2s, new Hello(1, 1, 16 << 20, "camstream-python/0.1.0", "")));
        v.add(ok("hello-v2", "HELLO offering versions 1..2, as this version's clients send it", c2s, new Hello(1, 2, 16 << 20, "camstream-java", "")));
        v.add(ok("hello-token-utf8", "HELLO with a version range, a token and a non-ASCII client name (UTF-8)", c2s,
                new Hello(1, 3, 4096, "caméra-7 ✓", "s3cr3t token")));
        v.add(ok("hello-ok", "HELLO_OK as the demo model's server sends it", s2c, new HelloOk(1, 16 << 20, 64, 10_000, 30_000, 128, 128, 5,
                "features.4", List.of("gradcam", "gradcam++", "activations"), "camstream-server/0.1.0")));
        v.add(ok("explain-rgb8-top1-float32", "EXPLAIN: a 2x3 RGB8 frame, TOP1, FLOAT32 maps at the frame's size (0x0)", c2s,
                explain(1, Target.top1(), ResultSpec.of(ResultForm.FLOAT32), Payload.rgb8(2, 3, rgb(2, 3)))));
        v.add(ok("explain-bgr8-topk-uint8", "EXPLAIN: a 3x2 BGR8 frame, TOPK k=3, UINT8 maps 64x48, priority 7, no deadline", c2s,
                new ExplainRequest(2, 9, 0, "gradcam++", Target.topK(3), 0, 7, new ResultSpec(ResultForm.UINT8, 64, 48), Payload.bgr8(3, 2, rgb(3, 2)))));
        v.add(ok("explain-jpeg-class-overlay", "EXPLAIN: JPEG bytes (the codec does not look inside), CLASS 4, a JPEG overlay 32x32", c2s,
                explain(3, Target.classIndex(4), new ResultSpec(ResultForm.JPEG_OVERLAY, 32, 32),
                        Payload.jpeg(new byte[]{(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0, 0, 0x10, (byte) 0xff, (byte) 0xd9}))));
        v.add(ok("explain-contrast", "EXPLAIN (version 2): CONTRAST, class 2 rather than class 0 (targetValue 2 | 0 << 16), FLOAT32 2x2", c2s,
                explain(5, Target.contrast(2, 0), f32, Payload.rgb8(2, 2, rgb(2, 2)))));
        v.add(ok("explain-contrast-large-classes", "EXPLAIN (version 2): CONTRAST, class 65535 rather than class 1000 (targetValue 0x03e8ffff)", c2s,
                explain(6, Target.contrast(65535, 1000), f32, Payload.rgb8(2, 2, rgb(2, 2)))));
        v.add(ok("explain-png", "EXPLAIN: PNG bytes, activations, FLOAT32 16x16; the largest u32 stream id and u64 frame number", c2s,
                new ExplainRequest(0xFFFF_FFFFL, 0xFFFF_FFFFL, -1L, "activations", Target.top1(), 0xFFFF_FFFFL, 255, new ResultSpec(ResultForm.FLOAT32, 16, 16),
                        Payload.png(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}))));
        v.add(ok("explain-float32-tensor", "EXPLAIN: a 3x2x2 FLOAT32 tensor (CHW, little-endian), FLOAT32 maps 2x2", c2s,
                explain(4, Target.top1(), f32, Payload.float32(2, 2, new float[]{0f, 0.5f, -1f, 2.25f, 1e-3f, -0f, 3f, -2.5f, 1f, 0.125f, -0.75f, 100f}))));
        v.add(ok("result-float32", "RESULT: two predictions (UTF-8 label), one FLOAT32 2x2 map", s2c,
                new ExplainResult(1, 3, 42, 1500, 8200, 4,
                        List.of(new ExplainResult.Prediction(2, 0.75f, "triangle"), new ExplainResult.Prediction(0, 0.125f, "crème brûlée")),
                        List.of(new ExplainResult.Heatmap(2, 0.75f, ResultForm.FLOAT32, 2, 2, Floats.toBytes(new float[]{0f, 0.25f, 1f, 0.5f}))))));
        v.add(ok("result-uint8-topk2", "RESULT: TOPK 2, two UINT8 2x3 maps, best first", s2c,
                new ExplainResult(2, 9, 0, 0, 0xFFFF_FFFFL, 65535, List.of(new ExplainResult.Prediction(1, 0.5f, "circle"),
                        new ExplainResult.Prediction(4, 0.25f, "star"), new ExplainResult.Prediction(3, 0.125f, "ring")),
                        List.of(new ExplainResult.Heatmap(1, 0.5f, ResultForm.UINT8, 2, 3, new byte[]{0, 64, (byte) 128, (byte) 192, (byte) 255, 1}),
                                new ExplainResult.Heatmap(4, 0.25f, ResultForm.UINT8, 2, 3, new byte[]{(byte) 255, 0, 0, 0, 0, 7})))));
        v.add(ok("result-jpeg-overlay", "RESULT: one JPEG overlay map (opaque bytes), no predictions", s2c,
                new ExplainResult(3, 3, 42, 10, 20, 1, List.of(),
                        List.of(new ExplainResult.Heatmap(4, 0.0625f, ResultForm.JPEG_OVERLAY, 32, 32, new byte[]{(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xd9})))));
        v.add(ok("result-no-maps", "RESULT with no predictions and no maps (the smallest RESULT)", s2c,
                new ExplainResult(7, 0, 0, 0, 0, 0, List.of(), List.of())));
        for (ErrorCode code : ErrorCode.values()) {
            long id = code == ErrorCode.UNSUPPORTED_VERSION || code == ErrorCode.UNAUTHENTICATED ? 0 : 5;
            v.add(ok("error-" + code.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), "ERROR " + code + String.format(" (0x%04x)", code.code), s2c,
                    new ErrorMessage(id, code, "example message for " + code)));
        }
        v.add(ok("error-unknown-code", "ERROR with a code this version does not define (0x02ff): a receiver treats it by its category, REJECTED (retryable)",
                s2c, new ErrorMessage(5, 0x02ff, "a future rejection")));
        v.add(ok("error-unknown-category", "ERROR with an unknown category (0x7f01): treated as INTERNAL", s2c, new ErrorMessage(5, 0x7f01, "")));
        v.add(ok("ping", "PING on the connection (id 0) with a u64 opaque value", both, new Ping(0, 0x0807060504030201L)));
        v.add(ok("ping-request-id", "PING with a non-zero request id and the largest u64 opaque; echoed unchanged", both, new Ping(77, -1L)));
        v.add(ok("pong", "PONG answering the PING above", both, new Pong(0, 0x0807060504030201L)));
        v.add(ok("goodbye", "GOODBYE with a reason", both, new Goodbye("the server is shutting down")));
        v.add(ok("goodbye-empty", "GOODBYE with an empty reason", both, new Goodbye("")));

        // --- well formed, but the server must refuse them (section 2 and 3 of docs/protocol.md) ---
        v.add(refusedByServer("refuse-version-range-empty", "HELLO with minVersion 2 > maxVersion 1: no common version", "first-frame",
                new Hello(2, 1, 16 << 20, "v", ""), new Answer(ErrorCode.UNSUPPORTED_VERSION, 0, true)));
        v.add(refusedByServer("refuse-version-too-new", "HELLO offering versions 3..5 only", "first-frame",
                new Hello(3, 5, 16 << 20, "v", ""), new Answer(ErrorCode.UNSUPPORTED_VERSION, 0, true)));
        v.add(refusedByServer("refuse-small-max-frame", "HELLO announcing maxFrameBytes 4095 (< 4096)", "first-frame",
                new Hello(1, 1, 4095, "v", ""), new Answer(ErrorCode.MALFORMED, 0, true)));
        v.add(refusedByServer("refuse-explain-before-hello", "EXPLAIN as the first frame", "first-frame",
                explain(9, Target.top1(), f32, Payload.rgb8(2, 2, rgb(2, 2))), new Answer(ErrorCode.MALFORMED, 9, true)));
        v.add(refusedByServer("refuse-second-hello", "a second HELLO after the handshake", "after-handshake",
                new Hello(1, 1, 16 << 20, "again", ""), new Answer(ErrorCode.MALFORMED, 0, true)));
        v.add(refusedByServer("refuse-top1-with-value", "TOP1 with targetValue 7 (TOP1's value must be 0)", "after-handshake",
                explain(10, new Target(TargetKind.TOP1, 7), f32, Payload.rgb8(2, 2, rgb(2, 2))), new Answer(ErrorCode.INVALID, 10, false)));
        v.add(refusedByServer("refuse-topk-zero", "TOPK with k = 0", "after-handshake",
                explain(11, new Target(TargetKind.TOPK, 0), f32, Payload.rgb8(2, 2, rgb(2, 2))), new Answer(ErrorCode.INVALID, 11, false)));
        v.add(refusedByServer("refuse-class-out-of-range", "CLASS 4294967295, beyond any model's classes", "after-handshake",
                explain(12, new Target(TargetKind.CLASS, 0xFFFF_FFFFL), f32, Payload.rgb8(2, 2, rgb(2, 2))), new Answer(ErrorCode.INVALID, 12, false)));
        v.add(refusedByServer("refuse-contrast-on-v1", "CONTRAST on a connection that agreed on version 1, which does not define it", "after-handshake-v1",
                explain(22, Target.contrast(2, 0), f32, Payload.rgb8(2, 2, rgb(2, 2))), new Answer(ErrorCode.MALFORMED, 22, false)));
        v.add(refusedByServer("refuse-contrast-same-class", "CONTRAST of class 1 against itself", "after-handshake",
                explain(23, Target.contrast(1, 1), f32, Payload.rgb8(2, 2, rgb(2, 2))), new Answer(ErrorCode.INVALID, 23, false)));
        v.add(refusedByServer("refuse-contrast-out-of-range", "CONTRAST whose class B (65535) is beyond the model's classes", "after-handshake",
                explain(24, Target.contrast(0, 65535), f32, Payload.rgb8(2, 2, rgb(2, 2))), new Answer(ErrorCode.INVALID, 24, false)));
        v.add(refusedByServer("refuse-unknown-method", "a method the server does not offer", "after-handshake",
                new ExplainRequest(13, 3, 42, "no-such-method", Target.top1(), 0, 0, f32, Payload.rgb8(2, 2, rgb(2, 2))), new Answer(ErrorCode.INVALID, 13, false)));
        v.add(refusedByServer("refuse-rgb8-byte-count", "RGB8 2x2 needs 12 bytes; this one has 11", "after-handshake",
                explain(14, Target.top1(), f32, new Payload(PayloadFormat.RGB8, 2, 2, java.util.Arrays.copyOf(rgb(2, 2), 11))),
                new Answer(ErrorCode.INVALID, 14, false)));
        v.add(refusedByServer("refuse-rgb8-zero-size", "RGB8 with height and width 0", "after-handshake",
                explain(15, Target.top1(), f32, new Payload(PayloadFormat.RGB8, 0, 0, new byte[0])), new Answer(ErrorCode.INVALID, 15, false)));
        v.add(refusedByServer("refuse-tensor-size", "a FLOAT32 tensor of 3x2x2, not the model's input size", "after-handshake",
                explain(16, Target.top1(), f32, Payload.float32(2, 2, new float[12])), new Answer(ErrorCode.INVALID, 16, false)));
        v.add(refusedByServer("refuse-output-too-large", "output size 4097x4097 (at most 4096 per side)", "after-handshake",
                explain(17, Target.top1(), new ResultSpec(ResultForm.FLOAT32, 4097, 4097), Payload.rgb8(2, 2, rgb(2, 2))), new Answer(ErrorCode.INVALID, 17, false)));
        v.add(refusedByServer("refuse-output-one-side", "output size 0x32: give both sides or neither", "after-handshake",
                explain(18, Target.top1(), new ResultSpec(ResultForm.FLOAT32, 0, 32), Payload.rgb8(2, 2, rgb(2, 2))), new Answer(ErrorCode.INVALID, 18, false)));
        v.add(refusedByServer("refuse-overlay-of-tensor", "a JPEG overlay of a FLOAT32 tensor (nothing to draw over)", "after-handshake",
                explain(19, Target.top1(), new ResultSpec(ResultForm.JPEG_OVERLAY, 2, 2), Payload.float32(2, 2, new float[12])), new Answer(ErrorCode.INVALID, 19, false)));
        v.add(refusedByServer("refuse-empty-jpeg", "a JPEG payload of 0 bytes", "after-handshake",
                explain(20, Target.top1(), f32, Payload.jpeg(new byte[0])), new Answer(ErrorCode.INVALID, 20, false)));
        v.add(refusedByServer("refuse-client-sends-result", "a RESULT from the client (only the server sends it)", "after-handshake",
                new ExplainResult(21, 0, 0, 0, 0, 0, List.of(), List.of()), new Answer(ErrorCode.MALFORMED, 21, false)));

        // --- bytes that must not decode ---
        byte[] ping = frame(new Ping(0, 1));
        byte[] explainFrame = frame(explain(30, Target.top1(), f32, Payload.rgb8(2, 2, rgb(2, 2))));
        byte[] explainBody = body(explainFrame);
        // offsets inside the EXPLAIN body: streamId 0, frameNumber 4, method string 12 (2 + 7 bytes "gradcam"), targetKind 21, ...
        int targetKind = 4 + 8 + 2 + "gradcam".length();
        int resultForm = targetKind + 1 + 4 + 4 + 1;
        int payloadFormat = resultForm + 1 + 2 + 2;
        Answer framing = new Answer(ErrorCode.MALFORMED, 0, true);
        v.add(broken("bad-magic", "wrong magic (HTTP's \"GET \"): refused on the first bytes", c2s, "first-frame",
                "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII), framing));
        v.add(broken("bad-magic-after-handshake", "a PING whose magic is CAMT", both, "after-handshake", withByte(ping, 3, 'T'), framing));
        v.add(broken("flags-not-zero", "a PING with flags 0x01: flags must be 0", both, "after-handshake", withByte(ping, 5, 1), framing));
        v.add(broken("reserved-not-zero", "a PING with reserved 0x0100: reserved must be 0", both, "after-handshake", withByte(ping, 7, 1), framing));
        v.add(broken("frame-over-handshake-limit", "before the handshake, a header announcing a 4097-byte frame (the limit is 4096); only the header is sent",
                c2s, "first-frame", java.util.Arrays.copyOf(withU32(frame(new Hello(1, 1, 4096, "", "")), 12, 4097 - 16), 16), framing));
        v.add(broken("frame-over-limit", "after the handshake, a header announcing a frame of 4 GiB - 1 bytes; only the header is sent", both, "after-handshake",
                java.util.Arrays.copyOf(withU32(ping, 12, 0xFFFF_FFFFL - 16), 16), framing));
        v.add(broken("unknown-opcode", "opcode 0x09 (not defined): that frame fails, the connection stays", both, "after-handshake",
                rawFrame(0x09, 31, new byte[]{1, 2, 3}), new Answer(ErrorCode.MALFORMED, 31, false)));
        v.add(broken("body-truncated", "a PING whose body is 7 bytes (needs 8)", both, "after-handshake",
                rawFrame(Opcode.PING.code, 32, new byte[7]), new Answer(ErrorCode.MALFORMED, 32, false)));
        v.add(broken("body-trailing-bytes", "a PING with 9 body bytes (one left over)", both, "after-handshake",
                rawFrame(Opcode.PING.code, 33, new byte[9]), new Answer(ErrorCode.MALFORMED, 33, false)));
        v.add(broken("explain-request-id-zero", "EXPLAIN with request id 0", c2s, "after-handshake",
                withU32(explainFrame, 8, 0), new Answer(ErrorCode.MALFORMED, 0, false)));
        v.add(broken("hello-request-id-not-zero", "HELLO with request id 1 (connection frames carry 0)", c2s, "first-frame",
                withU32(frame(new Hello(1, 1, 4096, "", "")), 8, 1), new Answer(ErrorCode.MALFORMED, 1, true)));
        v.add(broken("goodbye-request-id-not-zero", "GOODBYE with request id 34", both, "after-handshake",
                withU32(frame(new Goodbye("")), 8, 34), new Answer(ErrorCode.MALFORMED, 34, false)));
        v.add(broken("unknown-target-kind", "EXPLAIN with targetKind 9", c2s, "after-handshake",
                rawFrame(Opcode.EXPLAIN.code, 35, withByte(explainBody, targetKind, 9)), new Answer(ErrorCode.MALFORMED, 35, false)));
        v.add(broken("unknown-result-form", "EXPLAIN with resultForm 0", c2s, "after-handshake",
                rawFrame(Opcode.EXPLAIN.code, 36, withByte(explainBody, resultForm, 0)), new Answer(ErrorCode.MALFORMED, 36, false)));
        v.add(broken("unknown-payload-format", "EXPLAIN with payloadFormat 6", c2s, "after-handshake",
                rawFrame(Opcode.EXPLAIN.code, 37, withByte(explainBody, payloadFormat, 6)), new Answer(ErrorCode.MALFORMED, 37, false)));
        v.add(broken("payload-length-beyond-body", "EXPLAIN whose payloadLength claims 13 bytes, 12 follow", c2s, "after-handshake",
                rawFrame(Opcode.EXPLAIN.code, 38, withU32(explainBody, payloadFormat + 5, 13)), new Answer(ErrorCode.MALFORMED, 38, false)));
        v.add(broken("string-not-utf8", "GOODBYE whose reason is the byte 0xff (not UTF-8)", both, "after-handshake",
                rawFrame(Opcode.GOODBYE.code, 0, new byte[]{1, 0, (byte) 0xff}), new Answer(ErrorCode.MALFORMED, 0, false)));
        byte[] longName = new byte[2 + 2 + 4 + 2 + 257 + 2];
        ByteBuffer.wrap(longName).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 1).putShort((short) 1).putInt(4096).putShort((short) 257);
        java.util.Arrays.fill(longName, 10, 10 + 257, (byte) 'a');
        v.add(broken("hello-client-name-too-long", "HELLO whose clientName is 257 bytes (at most 256)", c2s, "first-frame",
                rawFrame(Opcode.HELLO.code, 0, longName), new Answer(ErrorCode.MALFORMED, 0, true)));
        return v;
    }

    // --- JSON descriptions ---

    static ObjectNode describe(Vector v) {
        ObjectNode n = JSON.createObjectNode();
        n.put("name", v.name());
        n.put("description", v.description());
        n.put("direction", v.direction());
        n.put("context", v.context());
        n.put("file", v.name() + ".bin");
        n.put("length", v.bytes().length);
        n.put("decodes", v.message() != null);
        if (v.message() != null) n.set("message", toJson(v.message()));
        if (v.decodeError() != null) n.set("decodeError", answer(v.decodeError()));
        if (v.serverAnswer() != null) n.set("serverAnswer", answer(v.serverAnswer()));
        return n;
    }

    private static ObjectNode answer(Answer a) {
        ObjectNode n = JSON.createObjectNode();
        n.put("code", a.code().name());
        n.put("codeValue", a.code().code);
        n.put("requestId", a.requestId());
        n.put("closesConnection", a.closesConnection());
        return n;
    }

    private static BigInteger u64(long v) {
        return new BigInteger(Long.toUnsignedString(v));
    }

    /** A message as the JSON object the vectors describe it with: the field names of docs/protocol.md. */
    public static ObjectNode toJson(Message m) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", m.opcode().name());
        n.put("requestId", m.requestId());
        if (m instanceof Hello h) {
            n.put("minVersion", h.minVersion());
            n.put("maxVersion", h.maxVersion());
            n.put("maxFrameBytes", h.maxFrameBytes());
            n.put("clientName", h.clientName());
            n.put("token", h.token());
        } else if (m instanceof HelloOk h) {
            n.put("version", h.version());
            n.put("maxFrameBytes", h.maxFrameBytes());
            n.put("maxInFlight", h.maxInFlight());
            n.put("heartbeatMillis", h.heartbeatMillis());
            n.put("idleTimeoutMillis", h.idleTimeoutMillis());
            n.put("inputHeight", h.inputHeight());
            n.put("inputWidth", h.inputWidth());
            n.put("numClasses", h.numClasses());
            n.put("layer", h.layer());
            ArrayNode methods = n.putArray("methods");
            h.methods().forEach(methods::add);
            n.put("serverName", h.serverName());
        } else if (m instanceof ExplainRequest r) {
            n.put("streamId", r.streamId());
            n.put("frameNumber", u64(r.frameNumber()));
            n.put("method", r.method());
            n.put("targetKind", r.target().kind().name());
            n.put("targetValue", r.target().value());
            n.put("deadlineMicros", r.deadlineMicros());
            n.put("priority", r.priority());
            n.put("resultForm", r.result().form().name());
            n.put("outHeight", r.result().height());
            n.put("outWidth", r.result().width());
            n.put("payloadFormat", r.payload().format().name());
            n.put("payloadHeight", r.payload().height());
            n.put("payloadWidth", r.payload().width());
            n.put("payload", HEX.formatHex(r.payload().bytes()));
        } else if (m instanceof ExplainResult r) {
            n.put("streamId", r.streamId());
            n.put("frameNumber", u64(r.frameNumber()));
            n.put("queueMicros", r.queueMicros());
            n.put("computeMicros", r.computeMicros());
            n.put("batchSize", r.batchSize());
            ArrayNode preds = n.putArray("predictions");
            for (ExplainResult.Prediction p : r.predictions()) {
                preds.addObject().put("classIndex", p.classIndex()).put("probability", p.probability()).put("label", p.label());
            }
            ArrayNode maps = n.putArray("maps");
            for (ExplainResult.Heatmap h : r.maps()) {
                maps.addObject().put("classIndex", h.classIndex()).put("probability", h.probability()).put("form", h.form().name())
                        .put("height", h.height()).put("width", h.width()).put("data", HEX.formatHex(h.data()));
            }
        } else if (m instanceof ErrorMessage e) {
            n.put("code", e.code());
            // a code this version does not define has no name, only its category
            n.put("codeName", java.util.Arrays.stream(ErrorCode.values()).filter(c -> c.code == e.code()).map(Enum::name).findFirst().orElse("UNKNOWN"));
            n.put("category", e.errorCode().category().name());
            n.put("retryable", e.errorCode().retryable());
            n.put("message", e.message());
        } else if (m instanceof Ping p) {
            n.put("opaque", u64(p.opaque()));
        } else if (m instanceof Pong p) {
            n.put("opaque", u64(p.opaque()));
        } else if (m instanceof Goodbye g) {
            n.put("reason", g.reason());
        }
        return n;
    }

    /** The files this class makes: name to bytes, {@code .bin} and {@code .json} for every vector. */
    static java.util.SortedMap<String, byte[]> files() throws IOException {
        java.util.SortedMap<String, byte[]> files = new java.util.TreeMap<>();
        ArrayNode index = JSON.createArrayNode();
        for (Vector v : all()) {
            files.put(v.name() + ".bin", v.bytes());
            files.put(v.name() + ".json", (JSON.writeValueAsString(describe(v)) + "\n").getBytes(StandardCharsets.UTF_8));
            index.add(v.name());
        }
        files.put("index.json", (JSON.writeValueAsString(index) + "\n").getBytes(StandardCharsets.UTF_8));
        return files;
    }

    /** Writes every vector into {@code dir}, removing vectors that no longer exist; keeps README.md. */
    static void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        java.util.SortedMap<String, byte[]> files = files();
        try (var existing = Files.list(dir)) {
            for (Path p : existing.toList()) {
                String name = p.getFileName().toString();
                if ((name.endsWith(".bin") || name.endsWith(".json")) && !files.containsKey(name)) Files.delete(p);
            }
        }
        for (var e : files.entrySet()) Files.write(dir.resolve(e.getKey()), e.getValue());
    }
}
