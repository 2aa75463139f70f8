package io.camstream.server;

import io.camstream.client.CamstreamClient;
import io.camstream.client.ClientOptions;
import io.camstream.image.OverlayRenderer;
import io.camstream.image.Preprocessing;
import io.camstream.protocol.ExplainRequest;
import io.camstream.protocol.Payload;
import io.camstream.protocol.ResultForm;
import io.camstream.protocol.ResultSpec;
import io.camstream.protocol.Target;

import java.time.Duration;

/** Servers on a free loopback port, clients for them, and requests, for tests. */
final class TestServers {
    private TestServers() {
    }

    static ServerConfig.Builder config() {
        return ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(1).workerThreads(2)
                .heartbeat(Duration.ofSeconds(10)).idleTimeout(Duration.ofSeconds(30)).drainTimeout(Duration.ofSeconds(5));
    }

    static CamstreamServer start(ServerConfig config, InferenceBackend backend) {
        return CamstreamServer.start(config, backend, Preprocessing.imagenet(backend.info().inputHeight()), new OverlayRenderer("jet", 0.5));
    }

    static CamstreamClient client(CamstreamServer server) {
        return CamstreamClient.connect(ClientOptions.builder("127.0.0.1", server.port()).reconnect(Duration.ofMillis(50), Duration.ofMillis(500), 0).build());
    }

    /** Waits (at most 10 s) for a condition that other threads make true. */
    static void eventually(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        eventually(condition, () -> what);
    }

    static void eventually(java.util.function.BooleanSupplier condition, java.util.function.Supplier<String> what) throws InterruptedException {
        long until = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - until > 0) throw new AssertionError("not within 10 s: " + what.get());
            Thread.sleep(5);
        }
    }

    /** An RGB8 frame of the fake model's size whose first byte is {@code marker} (so compute order can be told). */
    static ExplainRequest request(long frame, int marker) {
        byte[] px = new byte[FakeBackend.SIZE * FakeBackend.SIZE * 3];
        for (int i = 0; i < px.length; i++) px[i] = (byte) ((i * 31 + frame * 7) & 0xff);
        px[0] = (byte) marker;
        return new ExplainRequest(1, 1, frame, "gradcam", Target.top1(), 0, 0, ResultSpec.of(ResultForm.FLOAT32),
                Payload.rgb8(FakeBackend.SIZE, FakeBackend.SIZE, px));
    }
}
