package io.camstream.protocol;

import io.netty.buffer.ByteBuf;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Reads one frame body field by field, refusing to read past its end; every failure names the field. */
final class BodyReader {
    private final ByteBuf body;
    private final long requestId;
    private final String frame;

    BodyReader(ByteBuf body, long requestId, String frame) {
        this.body = body;
        this.requestId = requestId;
        this.frame = frame;
    }

    private void need(int bytes, String field) {
        if (body.readableBytes() < bytes) {
            throw ProtocolException.malformed(requestId, frame + " body ends inside " + field + " (needs " + bytes + " bytes, " + body.readableBytes() + " left)");
        }
    }

    int u8(String field) {
        need(1, field);
        return body.readUnsignedByte();
    }

    int u16(String field) {
        need(2, field);
        return body.readUnsignedShortLE();
    }

    long u32(String field) {
        need(4, field);
        return body.readUnsignedIntLE();
    }

    long u64(String field) {
        need(8, field);
        return body.readLongLE();
    }

    float f32(String field) {
        need(4, field);
        return body.readFloatLE();
    }

    String string(String field, int maxBytes) {
        int len = u16(field + " length");
        if (len > maxBytes) throw ProtocolException.malformed(requestId, frame + " " + field + " is " + len + " bytes, more than " + maxBytes);
        need(len, field);
        byte[] bytes = new byte[len];
        body.readBytes(bytes);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw ProtocolException.malformed(requestId, frame + " " + field + " is not valid UTF-8");
        }
    }

    /** A u32 length, then that many bytes, checked against what is left before anything is allocated. */
    byte[] lengthPrefixedBytes(String field) {
        long len = u32(field + " length");
        if (len > body.readableBytes()) {
            throw ProtocolException.malformed(requestId, frame + " " + field + " claims " + len + " bytes, only " + body.readableBytes() + " left");
        }
        byte[] bytes = new byte[(int) len];
        body.readBytes(bytes);
        return bytes;
    }

    <T> T known(T value, int code, String field) {
        if (value == null) throw ProtocolException.malformed(requestId, frame + " has unknown " + field + " " + code);
        return value;
    }

    void end() {
        if (body.isReadable()) throw ProtocolException.malformed(requestId, frame + " body has " + body.readableBytes() + " bytes after its last field");
    }
}
