package io.camstream.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The committed vectors in {@code docs/protocol-vectors/} are what {@link ProtocolVectors} makes, and this codec
 * decodes every one of them as its JSON says and re-encodes it byte for byte (the Python client's tests do the same
 * with its codec). {@code -Dcamstream.vectors.write=true} regenerates them instead of failing on a difference.
 */
class ProtocolVectorsTest {
    private static final Path DIR = ProtocolVectors.DIRECTORY;

    @BeforeAll
    static void regenerateWhenAsked() throws IOException {
        if (Boolean.getBoolean("camstream.vectors.write")) ProtocolVectors.write(DIR);
    }

    @Test
    void committedVectorsAreCurrent() throws IOException {
        SortedMap<String, byte[]> expected = ProtocolVectors.files();
        TreeSet<String> committed = new TreeSet<>();
        try (var files = Files.list(DIR)) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".bin") || n.endsWith(".json")).forEach(committed::add);
        }
        assertEquals(expected.keySet(), committed, "files in " + DIR + "; regenerate with -Dcamstream.vectors.write=true");
        for (var e : expected.entrySet()) {
            assertArrayEquals(e.getValue(), Files.readAllBytes(DIR.resolve(e.getKey())), e.getKey() + " differs from what ProtocolVectors makes;"
                    + " regenerate with mvn -B -q test -Dtest=ProtocolVectorsTest -Dcamstream.vectors.write=true");
        }
    }

    @Test
    void everyVectorDecodesAsDescribedAndReencodesByteForByte() throws IOException {
        JsonNode index = ProtocolVectors.JSON.readTree(DIR.resolve("index.json").toFile());
        assertTrue(index.size() > 40, "vectors: " + index.size());
        List<String> failures = new ArrayList<>();
        for (JsonNode name : index) {
            JsonNode d = ProtocolVectors.JSON.readTree(DIR.resolve(name.asText() + ".json").toFile());
            byte[] bytes = Files.readAllBytes(DIR.resolve(d.get("file").asText()));
            assertEquals(d.get("length").asInt(), bytes.length, name.asText());
            int limit = d.get("context").asText().equals("first-frame") ? Wire.HANDSHAKE_FRAME_LIMIT : Wire.DEFAULT_MAX_FRAME;
            EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(limit), new MessageDecoder());
            try {
                ch.writeInbound(Unpooled.wrappedBuffer(bytes));
                Message m = ch.readInbound();
                if (!d.get("decodes").asBoolean()) {
                    failures.add(name.asText() + ": decoded to " + m + " but must not decode");
                    continue;
                }
                assertNotNull(m, name.asText() + ": no message from " + bytes.length + " bytes");
                assertEquals(d.get("message").toString(), ProtocolVectors.toJson(m).toString(), name.asText());
                ByteBuf out = Unpooled.buffer();
                MessageCodec.encode(m, out);
                assertArrayEquals(bytes, ByteBufUtil.getBytes(out), name.asText() + ": re-encoded bytes differ");
                out.release();
            } catch (DecoderException e) {
                if (d.get("decodes").asBoolean()) {
                    failures.add(name.asText() + ": must decode, failed with " + e.getCause());
                    continue;
                }
                ProtocolException p = assertInstanceOf(ProtocolException.class, e.getCause(), name.asText());
                JsonNode want = d.get("decodeError");
                assertEquals(want.get("code").asText(), p.code().name(), name.asText());
                assertEquals(want.get("requestId").asLong(), p.requestId(), name.asText() + ": " + p.getMessage());
                boolean closes = p.fatal() || d.get("context").asText().equals("first-frame");
                assertEquals(want.get("closesConnection").asBoolean(), closes, name.asText() + ": " + p.getMessage());
            } finally {
                ch.finishAndReleaseAll();
            }
        }
        if (!failures.isEmpty()) fail(String.join("\n", failures));
    }
}
