package io.camstream.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MessageCodecTest {
    static byte[] frame(Message m) {
        ByteBuf b = Unpooled.buffer();
        MessageCodec.encode(m, b);
        byte[] out = ByteBufUtil.getBytes(b);
        b.release();
        return out;
    }

    static EmbeddedChannel decoderChannel(int limit) {
        return new EmbeddedChannel(new FrameDecoder(limit), new MessageDecoder());
    }

    @Test
    void pingFrameHasTheDocumentedBytes() {
        // docs/protocol.md section 1: magic, opcode, flags, reserved, request id, body length, body (u64 opaque)
        assertEquals("43414d53" + "06" + "00" + "0000" + "07000000" + "08000000" + "0102030405060708",
                ByteBufUtil.hexDump(frame(new Ping(7, 0x0807060504030201L))));
    }

    @Test
    void errorFrameHasTheDocumentedBytes() {
        assertEquals("43414d53" + "05" + "00" + "0000" + "2a000000" + "07000000" + "0101" + "0300" + "626164",
                ByteBufUtil.hexDump(frame(new ErrorMessage(42, ErrorCode.MALFORMED, "bad"))));
    }

    @Test
    void explainRequestRoundTripsThroughThePipeline() {
        ExplainRequest req = new ExplainRequest(9, 3, 1L << 40, "gradcam++", Target.topK(3), 250_000, 7,
                new ResultSpec(ResultForm.UINT8, 64, 48), Payload.rgb8(2, 2, new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
        EmbeddedChannel ch = decoderChannel(Wire.DEFAULT_MAX_FRAME);
        ch.writeInbound(Unpooled.wrappedBuffer(frame(req)));
        assertEquals(req, ch.readInbound());
        assertFalse(ch.finish());
    }

    @Test
    void resultRoundTripsAndItsMapsReadBackAsValues() {
        float[] map = {0f, 0.25f, 1f, 0.5f};
        ExplainResult r = new ExplainResult(5, 1, 2, 300, 4000, 8,
                List.of(new ExplainResult.Prediction(3, 0.75f, "cross"), new ExplainResult.Prediction(0, 0.125f, "circle")),
                List.of(new ExplainResult.Heatmap(3, 0.75f, ResultForm.FLOAT32, 2, 2, Floats.toBytes(map)),
                        new ExplainResult.Heatmap(0, 0.125f, ResultForm.UINT8, 1, 2, new byte[]{0, (byte) 255})));
        EmbeddedChannel ch = decoderChannel(Wire.DEFAULT_MAX_FRAME);
        ch.writeInbound(Unpooled.wrappedBuffer(frame(r)));
        ExplainResult back = ch.readInbound();
        assertEquals(r, back);
        assertArrayEquals(map, back.maps().get(0).values());
        assertArrayEquals(new float[]{0f, 1f}, back.maps().get(1).values());
        assertEquals(frame(r).length, MessageCodec.resultFrameBytes(r), "the size computed without encoding");
        ExplainResult accented = new ExplainResult(1, 0, 0, 0, 0, 1, List.of(new ExplainResult.Prediction(1, 1f, "caf\u00e9 \u732b")), List.of());
        assertEquals(frame(accented).length, MessageCodec.resultFrameBytes(accented), "labels count in UTF-8 bytes");
    }

    @Test
    void framesSplitAtEveryByteReassemble() {
        Hello hello = new Hello(1, 3, 1 << 20, "test client", "s3cret");
        byte[] bytes = frame(hello);
        EmbeddedChannel ch = decoderChannel(Wire.HANDSHAKE_FRAME_LIMIT);
        for (byte b : bytes) {
            assertNull(ch.readInbound());
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[]{b}));
        }
        assertEquals(hello, ch.readInbound());
    }

    @Test
    void unknownErrorCodesMapToTheirCategory() {
        assertEquals(ErrorCode.OVERLOADED, ErrorCode.of(0x02ff));
        assertEquals(ErrorCode.INVALID, ErrorCode.of(0x0177));
        assertEquals(ErrorCode.INTERNAL, ErrorCode.of(0x7700));
        assertTrue(ErrorCode.SHUTTING_DOWN.retryable());
        assertFalse(ErrorCode.INVALID.retryable());
    }

    @Test
    void wrongMagicIsFatalAtTheFirstByte() {
        EmbeddedChannel ch = decoderChannel(Wire.DEFAULT_MAX_FRAME);
        ProtocolException e = fatalCause(assertThrows(DecoderException.class, () -> ch.writeInbound(Unpooled.wrappedBuffer("G".getBytes()))));
        assertTrue(e.getMessage().contains("bad magic"), e.getMessage());
        // everything after broken framing is discarded
        ch.writeInbound(Unpooled.wrappedBuffer(frame(new Ping(1, 1))));
        assertNull(ch.readInbound());
    }

    @Test
    void oversizedLengthIsRefusedFromTheHeader() {
        byte[] header = frame(new Ping(1, 1));
        header[12] = 0;
        header[13] = 0;
        header[14] = 0x10; // body length 1 MiB, body not sent
        EmbeddedChannel ch = decoderChannel(Wire.HANDSHAKE_FRAME_LIMIT);
        ProtocolException e = fatalCause(assertThrows(DecoderException.class,
                () -> ch.writeInbound(Unpooled.wrappedBuffer(header, 0, Wire.HEADER_BYTES))));
        assertTrue(e.getMessage().contains("exceeds the limit of 4096"), e.getMessage());
    }

    @Test
    void nonZeroReservedBitsAreFatal() {
        byte[] bytes = frame(new Ping(1, 1));
        bytes[5] = 1;
        EmbeddedChannel ch = decoderChannel(Wire.DEFAULT_MAX_FRAME);
        fatalCause(assertThrows(DecoderException.class, () -> ch.writeInbound(Unpooled.wrappedBuffer(bytes))));
    }

    @Test
    void unknownOpcodeFailsOnlyItsFrame() {
        byte[] bad = frame(new Ping(11, 1));
        bad[4] = 0x7f;
        EmbeddedChannel ch = decoderChannel(Wire.DEFAULT_MAX_FRAME);
        DecoderException e = assertThrows(DecoderException.class, () -> ch.writeInbound(Unpooled.wrappedBuffer(bad)));
        ProtocolException p = assertInstanceOf(ProtocolException.class, e.getCause());
        assertFalse(p.fatal());
        assertEquals(11, p.requestId());
        ch.writeInbound(Unpooled.wrappedBuffer(frame(new Ping(12, 2))));
        assertEquals(new Ping(12, 2), ch.readInbound());
    }

    @Test
    void trailingBytesAndShortBodiesAreMalformed() {
        byte[] ok = frame(new Goodbye("bye"));
        byte[] longer = new byte[ok.length + 1];
        System.arraycopy(ok, 0, longer, 0, ok.length);
        longer[12]++;
        assertThrows(DecoderException.class, () -> decoderChannel(Wire.DEFAULT_MAX_FRAME).writeInbound(Unpooled.wrappedBuffer(longer)));
        byte[] shorter = java.util.Arrays.copyOf(ok, ok.length - 1);
        shorter[12]--;
        assertThrows(DecoderException.class, () -> decoderChannel(Wire.DEFAULT_MAX_FRAME).writeInbound(Unpooled.wrappedBuffer(shorter)));
    }

    @Test
    void explainWithRequestIdZeroIsMalformed() {
        ExplainRequest req = new ExplainRequest(0, 0, 0, "gradcam", Target.top1(), 0, 0, ResultSpec.of(ResultForm.FLOAT32), Payload.jpeg(new byte[3]));
        assertThrows(DecoderException.class, () -> decoderChannel(Wire.DEFAULT_MAX_FRAME).writeInbound(Unpooled.wrappedBuffer(frame(req))));
    }

    private static ProtocolException fatalCause(DecoderException e) {
        ProtocolException p = assertInstanceOf(ProtocolException.class, e.getCause());
        assertTrue(p.fatal());
        assertEquals(ErrorCode.MALFORMED, p.code());
        return p;
    }
}
