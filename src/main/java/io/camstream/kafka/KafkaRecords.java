package io.camstream.kafka;

import io.camstream.protocol.ErrorMessage;
import io.camstream.protocol.ExplainRequest;
import io.camstream.protocol.ExplainResult;
import io.camstream.protocol.Message;
import io.camstream.protocol.MessageCodec;
import io.camstream.protocol.Opcode;
import io.camstream.protocol.ProtocolException;
import io.camstream.protocol.Wire;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The record format of {@code docs/kafka.md}: key = the stream id in decimal (a stream's frames stay on one
 * partition, in order); value = a wire-protocol body (EXPLAIN in, RESULT or ERROR out) through the protocol's own
 * codec, without the 16-byte frame header, whose opcode and version travel as headers instead.
 */
public final class KafkaRecords {
    public static final String OPCODE_HEADER = "camstream.opcode";
    public static final String VERSION_HEADER = "camstream.version";
    /** On results and errors: the frame number (u64 little-endian), when the input could be read. */
    public static final String FRAME_HEADER = "camstream.frame";
    /** On results and errors: the input record as {@code topic/partition/offset}, so every answer names its question. */
    public static final String SOURCE_HEADER = "camstream.source";

    /** Request ids are per connection on the wire; a record has none, so bodies are coded with this one. */
    static final long RECORD_REQUEST_ID = 1;

    private KafkaRecords() {
    }

    public static String key(long streamId) {
        return Long.toString(streamId);
    }

    /** The body of {@code m} (the frame without its header). */
    public static byte[] body(Message m) {
        ByteBuf buf = Unpooled.buffer();
        try {
            MessageCodec.encode(m, buf);
            buf.skipBytes(Wire.HEADER_BYTES);
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    /**
     * Headers of an input record. A record names the oldest protocol version that defines everything in it, so a
     * worker of an older build still reads every request it can serve.
     */
    public static Headers requestHeaders(ExplainRequest r) {
        return headers(Opcode.EXPLAIN, r.target().kind().sinceVersion);
    }

    public static Headers headers(Opcode opcode, int version) {
        RecordHeaders h = new RecordHeaders();
        h.add(OPCODE_HEADER, new byte[]{(byte) opcode.code});
        h.add(VERSION_HEADER, new byte[]{(byte) version});
        return h;
    }

    /**
     * Headers of an answer: opcode, version, the source record and (when known) the frame number. RESULT and ERROR
     * bodies are the same in every version, so answers carry the oldest one.
     */
    public static Headers answerHeaders(Opcode opcode, String source, Long frameNumber) {
        Headers h = headers(opcode, Wire.MIN_VERSION);
        h.add(SOURCE_HEADER, source.getBytes(StandardCharsets.UTF_8));
        if (frameNumber != null) h.add(FRAME_HEADER, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(frameNumber).array());
        return h;
    }

    /**
     * Decodes a value by its opcode header.
     *
     * @throws ProtocolException for a missing or unknown opcode or version, or a malformed body
     */
    public static Message decode(Headers headers, byte[] value) {
        int opcode = oneByte(headers, OPCODE_HEADER);
        int version = oneByte(headers, VERSION_HEADER);
        if (version < Wire.MIN_VERSION || version > Wire.VERSION) {
            throw ProtocolException.malformed(RECORD_REQUEST_ID, "record of protocol version " + version + "; this build reads "
                    + Wire.MIN_VERSION + ".." + Wire.VERSION);
        }
        if (value == null) throw ProtocolException.malformed(RECORD_REQUEST_ID, "record without a value");
        Message m = MessageCodec.decode(opcode, RECORD_REQUEST_ID, Unpooled.wrappedBuffer(value));
        String undefined = m instanceof ExplainRequest r ? r.target().kind().undefinedIn(version) : null;
        if (undefined != null) throw ProtocolException.malformed(RECORD_REQUEST_ID, undefined + " (label the record so)");
        return m;
    }

    /** An input record's request. */
    public static ExplainRequest decodeRequest(Headers headers, byte[] value) {
        Message m = decode(headers, value);
        if (m instanceof ExplainRequest r) return r;
        throw ProtocolException.malformed(RECORD_REQUEST_ID, "an input record must be EXPLAIN, got " + m.opcode());
    }

    /** The frame number an answer carries in its headers, or null. */
    public static Long frameNumber(Headers headers) {
        Header h = headers.lastHeader(FRAME_HEADER);
        return h == null || h.value().length != 8 ? null : ByteBuffer.wrap(h.value()).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    public static String source(Headers headers) {
        Header h = headers.lastHeader(SOURCE_HEADER);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** A decoded answer record: a result or a typed error, for the frame it names. */
    public record Answer(long streamId, Long frameNumber, String source, ExplainResult result, ErrorMessage error) {
        public boolean ok() {
            return result != null;
        }
    }

    /** Reads an answer record; {@code key} is its stream id in decimal. */
    public static Answer answer(String key, Headers headers, byte[] value) {
        Message m = decode(headers, value);
        long stream;
        try {
            stream = key == null ? -1 : Long.parseLong(key);
        } catch (NumberFormatException e) {
            stream = -1;
        }
        if (m instanceof ExplainResult r) return new Answer(r.streamId(), r.frameNumber(), source(headers), r, null);
        if (m instanceof ErrorMessage e) return new Answer(stream, frameNumber(headers), source(headers), null, e);
        throw ProtocolException.malformed(RECORD_REQUEST_ID, "an answer record must be RESULT or ERROR, got " + m.opcode());
    }

    private static int oneByte(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        if (h == null || h.value() == null || h.value().length != 1) {
            throw ProtocolException.malformed(RECORD_REQUEST_ID, "record without a one-byte " + name + " header");
        }
        return h.value()[0] & 0xff;
    }
}
