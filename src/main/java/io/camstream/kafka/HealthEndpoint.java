package io.camstream.kafka;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * {@code GET /metrics} (Prometheus text), {@code /health/live} and {@code /health/ready}: the same paths and
 * answers as the server's listener, served by the JDK's small HTTP server on one daemon thread.
 */
public final class HealthEndpoint implements AutoCloseable {
    private final HttpServer http;

    private HealthEndpoint(HttpServer http) {
        this.http = http;
    }

    /** @param port 0 for any free port */
    public static HealthEndpoint start(String host, int port, Supplier<String> scrape, BooleanSupplier ready) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 16);
        http.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "camstream-worker-http");
            t.setDaemon(true);
            return t;
        }));
        http.createContext("/", ex -> {
            try (ex) {
                if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
                    reply(ex, 405, "text/plain; charset=utf-8", "GET only\n");
                    return;
                }
                switch (ex.getRequestURI().getPath()) {
                    case "/metrics" -> reply(ex, 200, "text/plain; version=0.0.4; charset=utf-8", scrape.get());
                    case "/health/live" -> reply(ex, 200, "text/plain; charset=utf-8", "live\n");
                    case "/health/ready" -> {
                        boolean ok = ready.getAsBoolean();
                        reply(ex, ok ? 200 : 503, "text/plain; charset=utf-8", ok ? "ready\n" : "not ready\n");
                    }
                    default -> reply(ex, 404, "text/plain; charset=utf-8", "try /metrics, /health/live or /health/ready\n");
                }
            }
        });
        http.start();
        return new HealthEndpoint(http);
    }

    private static void reply(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : b.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        }
    }

    public int port() {
        return http.getAddress().getPort();
    }

    @Override
    public void close() {
        http.stop(0);
        ((java.util.concurrent.ExecutorService) http.getExecutor()).shutdownNow();
    }
}
