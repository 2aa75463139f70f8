package io.camstream.protocol;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MessageCodecPropertiesTest {
    @Property(tries = 300)
    void everyValidMessageRoundTrips(@ForAll("messages") Message m, @ForAll @IntRange(min = 1, max = 64) int chunk) {
        byte[] bytes = MessageCodecTest.frame(m);
        EmbeddedChannel ch = MessageCodecTest.decoderChannel(Wire.MAX_FRAME_LIMIT);
        for (int at = 0; at < bytes.length; at += chunk) {
            ch.writeInbound(Unpooled.wrappedBuffer(bytes, at, Math.min(chunk, bytes.length - at)));
        }
        assertEquals(m, ch.readInbound());
        assertNull(ch.readInbound());
    }

    @Property(tries = 200)
    void encodedLengthFieldMatchesTheBody(@ForAll("messages") Message m) {
        byte[] bytes = MessageCodecTest.frame(m);
        long body = Integer.toUnsignedLong(java.nio.ByteBuffer.wrap(bytes, 12, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt());
        assertEquals(bytes.length - Wire.HEADER_BYTES, body);
    }

    /** Any truncation of a body (header patched to match) is refused as malformed, never half-decoded. */
    @Property(tries = 200)
    void truncatedBodiesAreMalformed(@ForAll("messages") Message m, @ForAll @IntRange(min = 1, max = 1 << 20) int cut) {
        byte[] bytes = MessageCodecTest.frame(m);
        int bodyLength = bytes.length - Wire.HEADER_BYTES;
        if (bodyLength == 0) return;
        int keep = bodyLength - 1 - (cut % bodyLength);
        byte[] shorter = Arrays.copyOf(bytes, Wire.HEADER_BYTES + keep);
        java.nio.ByteBuffer.wrap(shorter).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(12, keep);
        EmbeddedChannel ch = MessageCodecTest.decoderChannel(Wire.MAX_FRAME_LIMIT);
        try {
            ch.writeInbound(Unpooled.wrappedBuffer(shorter));
        } catch (DecoderException e) {
            ProtocolException p = assertInstanceOf(ProtocolException.class, e.getCause());
            assertEquals(ErrorCode.MALFORMED, p.code());
            return;
        }
        // a shorter body can still be a valid message only where a string or byte field became shorter in a way
        // that reads consistently; that never happens with our length-prefixed layout, because the last field's
        // length no longer matches
        throw new AssertionError("truncated " + m.opcode() + " decoded as " + ch.readInbound());
    }

    /** Random bytes only ever produce messages or protocol errors: no other exception, no hang, no huge buffer. */
    @Property(tries = 300)
    void randomBytesYieldOnlyProtocolErrors(@ForAll @Size(max = 512) byte[] garbage, @ForAll boolean withMagic) {
        byte[] bytes = garbage;
        if (withMagic && garbage.length >= 4) {
            bytes = garbage.clone();
            bytes[0] = 'C';
            bytes[1] = 'A';
            bytes[2] = 'M';
            bytes[3] = 'S';
        }
        EmbeddedChannel ch = MessageCodecTest.decoderChannel(Wire.HANDSHAKE_FRAME_LIMIT);
        try {
            ch.writeInbound(Unpooled.wrappedBuffer(bytes));
        } catch (DecoderException e) {
            assertInstanceOf(ProtocolException.class, e.getCause());
        }
        for (Object o = ch.readInbound(); o != null; o = ch.readInbound()) assertInstanceOf(Message.class, o);
        ch.finishAndReleaseAll();
    }

    @Provide
    Arbitrary<Message> messages() {
        return Arbitraries.oneOf(hellos(), helloOks(), explains(), results(), errors(), pings(), pongs(), goodbyes());
    }

    private static Arbitrary<Long> u32() {
        return Arbitraries.longs().between(0, 0xFFFF_FFFFL);
    }

    private static Arbitrary<Long> requestIds() {
        return Arbitraries.longs().between(1, 0xFFFF_FFFFL);
    }

    private static Arbitrary<Integer> u16() {
        return Arbitraries.integers().between(0, 0xFFFF);
    }

    private static Arbitrary<String> text(int maxChars) {
        // any Unicode, including characters that take 4 UTF-8 bytes; no lone surrogates
        return Arbitraries.strings().all().ofMaxLength(maxChars).filter(s -> s.codePoints().noneMatch(cp -> cp >= 0xD800 && cp <= 0xDFFF));
    }

    private static Arbitrary<byte[]> bytes(int max) {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(max);
    }

    private static Arbitrary<Float> floats() {
        return Arbitraries.oneOf(Arbitraries.floats(), Arbitraries.of(Float.NaN, Float.POSITIVE_INFINITY, -0f, Float.MIN_VALUE));
    }

    private Arbitrary<Message> hellos() {
        return Combinators.combine(u16(), u16(), u32(), text(60), text(200)).as(Hello::new);
    }

    private Arbitrary<Message> helloOks() {
        return Builders.withBuilder(() -> new Object[11])
                .use(u16()).in((a, v) -> set(a, 0, v))
                .use(u32()).in((a, v) -> set(a, 1, v))
                .use(u32()).in((a, v) -> set(a, 2, v))
                .use(u32()).in((a, v) -> set(a, 3, v))
                .use(u32()).in((a, v) -> set(a, 4, v))
                .use(u16()).in((a, v) -> set(a, 5, v))
                .use(u16()).in((a, v) -> set(a, 6, v))
                .use(u32()).in((a, v) -> set(a, 7, v))
                .use(text(40)).in((a, v) -> set(a, 8, v))
                .use(text(20).list().ofMaxSize(5)).in((a, v) -> set(a, 9, v))
                .use(text(40)).in((a, v) -> set(a, 10, v))
                .build(a -> (Message) new HelloOk((Integer) a[0], (Long) a[1], (Long) a[2], (Long) a[3], (Long) a[4], (Integer) a[5],
                        (Integer) a[6], (Long) a[7], (String) a[8], castList(a[9]), (String) a[10]));
    }

    private Arbitrary<Message> explains() {
        Arbitrary<Target> targets = Combinators.combine(Arbitraries.of(TargetKind.class), u32()).as(Target::new);
        Arbitrary<ResultSpec> specs = Combinators.combine(Arbitraries.of(ResultForm.class), u16(), u16()).as(ResultSpec::new);
        Arbitrary<Payload> payloads = Combinators.combine(Arbitraries.of(PayloadFormat.class), u16(), u16(), bytes(3000)).as(Payload::new);
        return Builders.withBuilder(() -> new Object[9])
                .use(requestIds()).in((a, v) -> set(a, 0, v))
                .use(u32()).in((a, v) -> set(a, 1, v))
                .use(Arbitraries.longs()).in((a, v) -> set(a, 2, v))
                .use(text(12)).in((a, v) -> set(a, 3, v))
                .use(targets).in((a, v) -> set(a, 4, v))
                .use(u32()).in((a, v) -> set(a, 5, v))
                .use(Arbitraries.integers().between(0, 255)).in((a, v) -> set(a, 6, v))
                .use(specs).in((a, v) -> set(a, 7, v))
                .use(payloads).in((a, v) -> set(a, 8, v))
                .build(a -> (Message) new ExplainRequest((Long) a[0], (Long) a[1], (Long) a[2], (String) a[3], (Target) a[4], (Long) a[5],
                        (Integer) a[6], (ResultSpec) a[7], (Payload) a[8]));
    }

    private Arbitrary<Message> results() {
        Arbitrary<ExplainResult.Prediction> preds = Combinators.combine(u32(), floats(), text(16)).as(ExplainResult.Prediction::new);
        Arbitrary<ExplainResult.Heatmap> maps = Combinators.combine(u32(), floats(), Arbitraries.of(ResultForm.class), u16(), u16(), bytes(2000))
                .as(ExplainResult.Heatmap::new);
        return Builders.withBuilder(() -> new Object[8])
                .use(requestIds()).in((a, v) -> set(a, 0, v))
                .use(u32()).in((a, v) -> set(a, 1, v))
                .use(Arbitraries.longs()).in((a, v) -> set(a, 2, v))
                .use(u32()).in((a, v) -> set(a, 3, v))
                .use(u32()).in((a, v) -> set(a, 4, v))
                .use(u16()).in((a, v) -> set(a, 5, v))
                .use(preds.list().ofMaxSize(6)).in((a, v) -> set(a, 6, v))
                .use(maps.list().ofMaxSize(4)).in((a, v) -> set(a, 7, v))
                .build(a -> (Message) new ExplainResult((Long) a[0], (Long) a[1], (Long) a[2], (Long) a[3], (Long) a[4], (Integer) a[5],
                        castList(a[6]), castList(a[7])));
    }

    private Arbitrary<Message> errors() {
        return Combinators.combine(u32(), u16(), text(100)).as(ErrorMessage::new);
    }

    private Arbitrary<Message> pings() {
        return Combinators.combine(u32(), Arbitraries.longs()).as(Ping::new);
    }

    private Arbitrary<Message> pongs() {
        return Combinators.combine(u32(), Arbitraries.longs()).as(Pong::new);
    }

    private Arbitrary<Message> goodbyes() {
        return text(80).map(Goodbye::new);
    }

    private static Object[] set(Object[] a, int i, Object v) {
        a[i] = v;
        return a;
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> castList(Object o) {
        return new ArrayList<>((List<T>) o);
    }
}
