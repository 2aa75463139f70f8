package io.camstream.server;

import io.camstream.CamstreamException;
import io.camstream.client.CamstreamClient;
import io.camstream.client.ClientOptions;
import io.camstream.protocol.ErrorCode;
import io.netty.handler.ssl.SslContextBuilder;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Token, TLS, loopback default, and the metrics/health endpoints. */
class SecurityAndMetricsTest {
    private static final File CERT = new File("src/test/resources/tls/cert.pem");
    private static final File KEY = new File("src/test/resources/tls/key.pem");

    private static ClientOptions.Builder options(CamstreamServer server) {
        return ClientOptions.builder("127.0.0.1", server.port()).reconnect(Duration.ofMillis(50), Duration.ofMillis(100), 0);
    }

    @Test
    void theServerListensOnLoopbackUnlessTold() {
        assertEquals("127.0.0.1", ServerConfig.builder().build().host);
    }

    @Test
    void aTokenIsCheckedInTheHandshake() throws Exception {
        try (CamstreamServer server = TestServers.start(TestServers.config().token("s3cret").build(), new FakeBackend())) {
            CamstreamException wrong = assertThrows(CamstreamException.class, () -> CamstreamClient.connect(options(server).token("guess").build()));
            assertTrue(wrong.getMessage().contains(ErrorCode.UNAUTHENTICATED.name()), wrong.getMessage());
            CamstreamException none = assertThrows(CamstreamException.class, () -> CamstreamClient.connect(options(server).build()));
            assertTrue(none.getMessage().contains(ErrorCode.UNAUTHENTICATED.name()), none.getMessage());
            try (CamstreamClient ok = CamstreamClient.connect(options(server).token("s3cret").build())) {
                assertEquals(5, ok.explain(TestServers.request(5, 5)).get(10, TimeUnit.SECONDS).frameNumber());
            }
        }
    }

    @Test
    void tlsConnectionsWorkAndPlaintextClientsAreRefused() throws Exception {
        ServerConfig config = TestServers.config().ssl(SslContextBuilder.forServer(CERT, KEY).build()).build();
        try (CamstreamServer server = TestServers.start(config, new FakeBackend())) {
            try (CamstreamClient client = CamstreamClient.connect(options(server).ssl(SslContextBuilder.forClient().trustManager(CERT).build()).build())) {
                assertEquals(9, client.explain(TestServers.request(9, 9)).get(10, TimeUnit.SECONDS).frameNumber());
            }
            assertThrows(CamstreamException.class, () -> CamstreamClient.connect(options(server).connectTimeout(Duration.ofSeconds(2)).build()));
        }
    }

    @Test
    void metricsAndHealthAreServedOverHttp() throws Exception {
        try (CamstreamServer server = TestServers.start(TestServers.config().metricsPort(0).maxBatch(4).build(), new FakeBackend());
             CamstreamClient client = TestServers.client(server)) {
            for (int i = 0; i < 3; i++) client.explain(TestServers.request(i, i)).get(10, TimeUnit.SECONDS);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String base = "http://127.0.0.1:" + server.metricsPort();
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, metrics.statusCode());
            String body = metrics.body();
            for (String name : new String[]{"camstream_requests_total 3.0", "camstream_results_total 3.0", "camstream_failures_total{type=\"OVERLOADED\"} 0.0",
                    "camstream_queue_seconds_bucket", "camstream_compute_seconds_count", "camstream_batch_size_bucket{le=\"4.0\"}",
                    "camstream_inflight 0.0", "camstream_frames_per_second", "camstream_connections 1.0", "camstream_queue_depth 0.0"}) {
                assertTrue(body.contains(name), "missing " + name + " in\n" + body);
            }
            assertEquals(200, get(http, base + "/health/live"));
            assertEquals(200, get(http, base + "/health/ready"));
            assertEquals(404, get(http, base + "/nothing"));
        }
    }

    @Test
    void withATokenMetricsNeedItAndHealthChecksStayOpen() throws Exception {
        try (CamstreamServer server = TestServers.start(TestServers.config().token("s3cret").metricsPort(0).build(), new FakeBackend())) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String base = "http://127.0.0.1:" + server.metricsPort();
            HttpResponse<String> none = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, none.statusCode());
            assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
            assertTrue(!none.body().contains("camstream_"), none.body());
            HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).header("Authorization", "Bearer guess").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, wrong.statusCode());
            HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).header("Authorization", "Bearer s3cret").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode());
            assertTrue(ok.body().contains("camstream_requests_total"), ok.body());
            assertEquals(200, get(http, base + "/health/live"));
            assertEquals(200, get(http, base + "/health/ready"));
        }
    }

    @Test
    void theMetricsListenerCanHaveItsOwnAddressOrBeOff() throws Exception {
        // the protocol on one address, metrics on another (both loopback here: 127.0.0.0/8 all is)
        ServerConfig split = TestServers.config().host("127.0.0.1").metricsHost("127.0.0.2").metricsPort(0).build();
        try (CamstreamServer server = TestServers.start(split, new FakeBackend())) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertEquals(200, get(http, "http://127.0.0.2:" + server.metricsPort() + "/health/live"));
            try (java.net.Socket s = new java.net.Socket()) {
                assertThrows(java.io.IOException.class, () -> s.connect(new java.net.InetSocketAddress("127.0.0.1", server.metricsPort()), 2000),
                        "the metrics port listens on its own address only");
            }
        }
        try (CamstreamServer server = TestServers.start(TestServers.config().metricsPort(-1).build(), new FakeBackend())) {
            assertEquals(-1, server.metricsPort());
        }
    }

    @Test
    void aPortInUseIsNamedWithItsOptionAndWhatToDo() throws Exception {
        try (java.net.ServerSocket held = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int port = held.getLocalPort();
            FakeBackend backend = new FakeBackend();
            CamstreamException metrics = assertThrows(CamstreamException.class, () -> TestServers.start(TestServers.config().metricsPort(port).build(), backend));
            assertEquals("cannot listen on 127.0.0.1:" + port + " for metrics and health checks (--metrics-port): port " + port
                    + " is already in use by another process; choose another --metrics-port, or --metrics-port -1 to run without them", metrics.getMessage());
            CamstreamException protocol = assertThrows(CamstreamException.class, () -> TestServers.start(TestServers.config().port(port).build(), backend));
            assertEquals("cannot listen on 127.0.0.1:" + port + " for the camstream protocol (--port): port " + port
                    + " is already in use by another process; choose another --port", protocol.getMessage());
        }
    }

    private static int get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
