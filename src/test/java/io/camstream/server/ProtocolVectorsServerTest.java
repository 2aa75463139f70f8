package io.camstream.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.camstream.protocol.ErrorMessage;
import io.camstream.protocol.Ping;
import io.camstream.protocol.Pong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The server answers every client vector of {@code docs/protocol-vectors/} that it must refuse exactly as the
 * vector's JSON says: code, request id, and whether the connection stays open (a PING still gets its PONG).
 */
class ProtocolVectorsServerTest {
    private static final Path DIR = Path.of("docs", "protocol-vectors");
    static CamstreamServer server;

    @BeforeAll
    static void start() {
        server = TestServers.start(TestServers.config().build(), new FakeBackend());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void refusalsAreAnsweredAsTheVectorsSay() throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (JsonNode name : json.readTree(DIR.resolve("index.json").toFile())) {
            JsonNode d = json.readTree(DIR.resolve(name.asText() + ".json").toFile());
            JsonNode want = d.has("serverAnswer") ? d.get("serverAnswer") : d.get("decodeError");
            if (want == null || d.get("direction").asText().equals("server-to-client")) continue;
            checked++;
            String context = d.get("context").asText();
            try (RawConnection c = context.equals("first-frame") ? new RawConnection(server.port())
                    : context.equals("after-handshake-v1") ? RawConnection.handshaken(server.port(), 1) : RawConnection.handshaken(server.port())) {
                c.sendBytes(Files.readAllBytes(DIR.resolve(d.get("file").asText())));
                String got = describe(c.read());
                String expected = want.get("code").asText() + " id " + want.get("requestId").asLong();
                if (!got.equals(expected)) {
                    failures.add(name.asText() + ": expected " + expected + ", got " + got);
                    continue;
                }
                c.setReadTimeoutMillis(5000);
                Object after;
                try {
                    c.send(new Ping(99, 5));
                    after = c.read();
                } catch (IOException e) {
                    after = RawConnection.CLOSED;
                }
                boolean open = after instanceof Pong;
                if (open == want.get("closesConnection").asBoolean()) {
                    failures.add(name.asText() + ": connection " + (open ? "stayed open" : "closed (" + after + ")") + ", expected the opposite");
                }
            }
        }
        assertTrue(checked > 25, "vectors checked: " + checked);
        if (!failures.isEmpty()) fail(String.join("\n", failures));
    }

    private static String describe(Object o) {
        return o instanceof ErrorMessage e ? e.errorCode().name() + " id " + e.requestId() : String.valueOf(o);
    }
}
