package io.camstream.protocol;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Messages to frames and frame bodies to messages, exactly as {@code docs/protocol.md} lays them out. */
public final class MessageCodec {
    private MessageCodec() {
    }

    /** Writes the whole frame: header, then body, with the body length filled in afterwards. */
    public static void encode(Message m, ByteBuf out) {
        int start = out.writerIndex();
        out.writeIntLE(Wire.MAGIC);
        out.writeByte(m.opcode().code);
        out.writeByte(0);
        out.writeShortLE(0);
        out.writeIntLE((int) m.requestId());
        out.writeIntLE(0);
        int bodyStart = out.writerIndex();
        if (m instanceof Hello h) writeHello(h, out);
        else if (m instanceof HelloOk h) writeHelloOk(h, out);
        else if (m instanceof ExplainRequest r) writeExplain(r, out);
        else if (m instanceof ExplainResult r) writeResult(r, out);
        else if (m instanceof ErrorMessage e) {
            out.writeShortLE(e.code());
            writeString(out, e.message());
        } else if (m instanceof Ping p) out.writeLongLE(p.opaque());
        else if (m instanceof Pong p) out.writeLongLE(p.opaque());
        else if (m instanceof Goodbye g) writeString(out, g.reason());
        out.setIntLE(start + 12, out.writerIndex() - bodyStart);
    }

    private static void writeHello(Hello h, ByteBuf out) {
        out.writeShortLE(h.minVersion());
        out.writeShortLE(h.maxVersion());
        out.writeIntLE((int) h.maxFrameBytes());
        writeString(out, h.clientName());
        writeString(out, h.token());
    }

    private static void writeHelloOk(HelloOk h, ByteBuf out) {
        out.writeShortLE(h.version());
        out.writeIntLE((int) h.maxFrameBytes());
        out.writeIntLE((int) h.maxInFlight());
        out.writeIntLE((int) h.heartbeatMillis());
        out.writeIntLE((int) h.idleTimeoutMillis());
        out.writeShortLE(h.inputHeight());
        out.writeShortLE(h.inputWidth());
        out.writeIntLE((int) h.numClasses());
        writeString(out, h.layer());
        out.writeByte(h.methods().size());
        for (String s : h.methods()) writeString(out, s);
        writeString(out, h.serverName());
    }

    private static void writeExplain(ExplainRequest r, ByteBuf out) {
        out.writeIntLE((int) r.streamId());
        out.writeLongLE(r.frameNumber());
        writeString(out, r.method());
        out.writeByte(r.target().kind().code);
        out.writeIntLE((int) r.target().value());
        out.writeIntLE((int) r.deadlineMicros());
        out.writeByte(r.priority());
        out.writeByte(r.result().form().code);
        out.writeShortLE(r.result().height());
        out.writeShortLE(r.result().width());
        Payload p = r.payload();
        out.writeByte(p.format().code);
        out.writeShortLE(p.height());
        out.writeShortLE(p.width());
        out.writeIntLE(p.bytes().length);
        out.writeBytes(p.bytes());
    }

    private static void writeResult(ExplainResult r, ByteBuf out) {
        out.writeIntLE((int) r.streamId());
        out.writeLongLE(r.frameNumber());
        out.writeIntLE((int) r.queueMicros());
        out.writeIntLE((int) r.computeMicros());
        out.writeShortLE(r.batchSize());
        out.writeByte(r.predictions().size());
        for (ExplainResult.Prediction p : r.predictions()) {
            out.writeIntLE((int) p.classIndex());
            out.writeFloatLE(p.probability());
            writeString(out, p.label());
        }
        out.writeByte(r.maps().size());
        for (ExplainResult.Heatmap h : r.maps()) {
            out.writeIntLE((int) h.classIndex());
            out.writeFloatLE(h.probability());
            out.writeByte(h.form().code);
            out.writeShortLE(h.height());
            out.writeShortLE(h.width());
            out.writeIntLE(h.data().length);
            out.writeBytes(h.data());
        }
    }

    /** The exact size of {@code r}'s frame, header included, without encoding it (what {@link #encode} will write). */
    public static long resultFrameBytes(ExplainResult r) {
        long n = Wire.HEADER_BYTES + 4 + 8 + 4 + 4 + 2 + 1;
        for (ExplainResult.Prediction p : r.predictions()) n += 4 + 4 + 2 + p.label().getBytes(StandardCharsets.UTF_8).length;
        n += 1;
        for (ExplainResult.Heatmap h : r.maps()) n += 4 + 4 + 1 + 2 + 2 + 4 + h.data().length;
        return n;
    }

    private static void writeString(ByteBuf out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > Wire.MAX_STRING_BYTES) throw new IllegalArgumentException("string of " + b.length + " bytes does not fit a u16 length");
        out.writeShortLE(b.length);
        out.writeBytes(b);
    }

    /**
     * Decodes one body whose header has been checked.
     *
     * @throws ProtocolException (not fatal: framing is intact) for an unknown opcode or a malformed body
     */
    public static Message decode(int opcode, long requestId, ByteBuf body) {
        Opcode op = Opcode.of(opcode);
        if (op == null) throw ProtocolException.malformed(requestId, String.format("unknown opcode 0x%02x", opcode));
        BodyReader in = new BodyReader(body, requestId, op.name());
        Message m;
        try {
            m = switch (op) {
                case HELLO -> new Hello(in.u16("minVersion"), in.u16("maxVersion"), in.u32("maxFrameBytes"),
                        in.string("clientName", Wire.MAX_CLIENT_NAME_BYTES), in.string("token", Wire.MAX_TOKEN_BYTES));
                case HELLO_OK -> readHelloOk(in);
                case EXPLAIN -> readExplain(in, requestId);
                case RESULT -> readResult(in, requestId);
                case ERROR -> new ErrorMessage(requestId, in.u16("code"), in.string("message", Wire.MAX_STRING_BYTES));
                case PING -> new Ping(requestId, in.u64("opaque"));
                case PONG -> new Pong(requestId, in.u64("opaque"));
                case GOODBYE -> new Goodbye(in.string("reason", Wire.MAX_STRING_BYTES));
            };
        } catch (IllegalArgumentException e) {
            throw ProtocolException.malformed(requestId, op + ": " + e.getMessage());
        }
        in.end();
        boolean connectionLevel = op == Opcode.HELLO || op == Opcode.HELLO_OK || op == Opcode.GOODBYE;
        if (connectionLevel && requestId != 0) throw ProtocolException.malformed(requestId, op + " must carry request id 0");
        if (op == Opcode.EXPLAIN && requestId == 0) throw ProtocolException.malformed(0, "EXPLAIN needs a request id of at least 1");
        return m;
    }

    private static HelloOk readHelloOk(BodyReader in) {
        int version = in.u16("version");
        long maxFrame = in.u32("maxFrameBytes");
        long window = in.u32("maxInFlight");
        long heartbeat = in.u32("heartbeatMillis");
        long idle = in.u32("idleTimeoutMillis");
        int h = in.u16("inputHeight");
        int w = in.u16("inputWidth");
        long classes = in.u32("numClasses");
        String layer = in.string("layer", Wire.MAX_STRING_BYTES);
        int n = in.u8("methodCount");
        List<String> methods = new ArrayList<>(n);
        for (int i = 0; i < n; i++) methods.add(in.string("method", Wire.MAX_STRING_BYTES));
        return new HelloOk(version, maxFrame, window, heartbeat, idle, h, w, classes, layer, methods, in.string("serverName", Wire.MAX_STRING_BYTES));
    }

    private static ExplainRequest readExplain(BodyReader in, long requestId) {
        long stream = in.u32("streamId");
        long frame = in.u64("frameNumber");
        String method = in.string("method", Wire.MAX_STRING_BYTES);
        int kindCode = in.u8("targetKind");
        TargetKind kind = in.known(TargetKind.of(kindCode), kindCode, "targetKind");
        Target target = new Target(kind, in.u32("targetValue"));
        long deadline = in.u32("deadlineMicros");
        int priority = in.u8("priority");
        int formCode = in.u8("resultForm");
        ResultForm form = in.known(ResultForm.of(formCode), formCode, "resultForm");
        ResultSpec result = new ResultSpec(form, in.u16("outHeight"), in.u16("outWidth"));
        int formatCode = in.u8("payloadFormat");
        PayloadFormat format = in.known(PayloadFormat.of(formatCode), formatCode, "payloadFormat");
        int ph = in.u16("payloadHeight");
        int pw = in.u16("payloadWidth");
        Payload payload = new Payload(format, ph, pw, in.lengthPrefixedBytes("payload"));
        return new ExplainRequest(requestId, stream, frame, method, target, deadline, priority, result, payload);
    }

    private static ExplainResult readResult(BodyReader in, long requestId) {
        long stream = in.u32("streamId");
        long frame = in.u64("frameNumber");
        long queue = in.u32("queueMicros");
        long compute = in.u32("computeMicros");
        int batch = in.u16("batchSize");
        int np = in.u8("predictionCount");
        List<ExplainResult.Prediction> preds = new ArrayList<>(np);
        for (int i = 0; i < np; i++) {
            preds.add(new ExplainResult.Prediction(in.u32("classIndex"), in.f32("probability"), in.string("label", Wire.MAX_STRING_BYTES)));
        }
        int nm = in.u8("mapCount");
        List<ExplainResult.Heatmap> maps = new ArrayList<>(nm);
        for (int i = 0; i < nm; i++) {
            long cls = in.u32("map classIndex");
            float p = in.f32("map probability");
            int formCode = in.u8("map form");
            ResultForm form = in.known(ResultForm.of(formCode), formCode, "map form");
            int h = in.u16("map height");
            int w = in.u16("map width");
            maps.add(new ExplainResult.Heatmap(cls, p, form, h, w, in.lengthPrefixedBytes("map data")));
        }
        return new ExplainResult(requestId, stream, frame, queue, compute, batch, preds, maps);
    }
}
