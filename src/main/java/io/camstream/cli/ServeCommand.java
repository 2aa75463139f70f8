package io.camstream.cli;

import io.camstream.InvalidInputException;
import io.camstream.image.OverlayRenderer;
import io.camstream.image.Preprocessing;
import io.camstream.server.CamstreamServer;
import io.camstream.server.ServerConfig;
import io.camstream.server.TorchBackend;
import io.netty.handler.ssl.SslContextBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sun.misc.Signal;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "serve", description = "Serve heatmaps over the camstream binary protocol (docs/protocol.md) until stopped (Ctrl-C drains gracefully).",
        mixinStandardHelpOptions = true, sortOptions = false)
final class ServeCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--layer", paramLabel = "PATH", description = "Layer to explain. Default: the config's, else the last layer with a spatial output.")
    String layer;

    @Option(names = "--host", paramLabel = "ADDR", defaultValue = "127.0.0.1", description = "Address to listen on. Default: ${DEFAULT-VALUE} (this machine only).")
    String host;

    @Option(names = "--port", paramLabel = "N", defaultValue = "7070", description = "Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--max-batch", paramLabel = "N", defaultValue = "32", description = "Largest batch. Default: ${DEFAULT-VALUE}.")
    int maxBatch;

    @Option(names = "--max-delay-us", paramLabel = "US", defaultValue = "2000",
            description = "A partial batch goes when its oldest request has waited this long. Default: ${DEFAULT-VALUE}.")
    long maxDelayMicros;

    @Option(names = "--queue", paramLabel = "N", defaultValue = "256", description = "Requests admitted and not yet batched; beyond it, OVERLOADED. Default: ${DEFAULT-VALUE}.")
    int queue;

    @Option(names = "--window", paramLabel = "N", defaultValue = "64", description = "Requests one connection may have in flight. Default: ${DEFAULT-VALUE}.")
    int window;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "256", description = "Default: ${DEFAULT-VALUE}.")
    int maxConnections;

    @Option(names = "--max-handshaking", paramLabel = "N", defaultValue = "64",
            description = "Connections that have not yet completed their handshake, counted apart from --max-connections. Default: ${DEFAULT-VALUE}.")
    int maxHandshaking;

    @Option(names = "--handshake-timeout-ms", paramLabel = "MS", defaultValue = "5000",
            description = "A new connection that has not completed its handshake (TLS and HELLO) in this time is closed. Default: ${DEFAULT-VALUE}.")
    long handshakeMillis;

    @Option(names = "--max-frame-bytes", paramLabel = "N", defaultValue = "16777216", description = "Largest frame accepted. Default: ${DEFAULT-VALUE}.")
    int maxFrameBytes;

    @Mixin
    ImageLimitOptions imageLimits;

    @Option(names = "--result-buffer-mb", paramLabel = "MB", defaultValue = "64",
            description = "Results one connection's client has not read yet that the server holds; beyond, OVERLOADED. Default: ${DEFAULT-VALUE}.")
    long resultBufferMb;

    @Option(names = "--result-buffer-total-mb", paramLabel = "MB", defaultValue = "1024",
            description = "The same for all connections together. Default: ${DEFAULT-VALUE}.")
    long resultBufferTotalMb;

    @Option(names = "--heartbeat-ms", paramLabel = "MS", defaultValue = "10000", description = "PING after this much silence. Default: ${DEFAULT-VALUE}.")
    long heartbeatMillis;

    @Option(names = "--idle-timeout-ms", paramLabel = "MS", defaultValue = "30000", description = "Close after this much silence. Default: ${DEFAULT-VALUE}.")
    long idleMillis;

    @Option(names = "--drain-timeout-ms", paramLabel = "MS", defaultValue = "10000", description = "On shutdown, time to finish what is in flight. Default: ${DEFAULT-VALUE}.")
    long drainMillis;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "Require this shared token (first line of the file) in the handshake. The CAMSTREAM_TOKEN environment variable works too.")
    Path tokenFile;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "Serve TLS with this certificate chain (needs --tls-key).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "PKCS#8 private key for --tls-cert.")
    Path tlsKey;

    @Option(names = "--metrics-port", paramLabel = "N", defaultValue = "9464",
            description = "HTTP port for /metrics (Prometheus) and /health/live, /health/ready; -1 for none. With a token (--token-file),"
                    + " /metrics needs it as 'Authorization: Bearer TOKEN'. Plain HTTP, also with --tls-*. Default: ${DEFAULT-VALUE}.")
    int metricsPort;

    @Option(names = "--metrics-host", paramLabel = "ADDR",
            description = "Address for the metrics port, e.g. 127.0.0.1 to keep it on this machine while --host serves the network. Default: --host.")
    String metricsHost;

    @Option(names = "--io-threads", paramLabel = "N", description = "Netty I/O threads. Default: half the cores (1..4).")
    Integer ioThreads;

    @Option(names = "--worker-threads", paramLabel = "N", description = "Threads decoding frames and encoding results. Default: the cores.")
    Integer workerThreads;

    @Option(names = "--colormap", paramLabel = "NAME", defaultValue = "jet", description = "For JPEG overlays: jet, turbo, magma, viridis. Default: ${DEFAULT-VALUE}.")
    String colormap;

    @Option(names = "--alpha", paramLabel = "A", defaultValue = "0.5", description = "Overlay opacity. Default: ${DEFAULT-VALUE}.")
    double alpha;

    @Override
    public Integer call() throws Exception {
        model.applyThreads();
        Preprocessing prep = model.preprocessing();
        ServerConfig.Builder b = ServerConfig.builder().host(host).port(port).maxBatch(maxBatch).maxDelayMicros(maxDelayMicros)
                .queueCapacity(queue).maxInFlightPerConnection(window).maxConnections(maxConnections).maxHandshaking(maxHandshaking)
                .handshakeTimeout(Duration.ofMillis(handshakeMillis)).maxFrameBytes(maxFrameBytes)
                .heartbeat(Duration.ofMillis(heartbeatMillis)).idleTimeout(Duration.ofMillis(idleMillis)).drainTimeout(Duration.ofMillis(drainMillis))
                .token(token()).metricsPort(metricsPort).metricsHost(metricsHost)
                .resultBuffer(resultBufferMb << 20, resultBufferTotalMb << 20);
        imageLimits.applyTo(b);
        if (ioThreads != null) b.ioThreads(ioThreads);
        if (workerThreads != null) b.workerThreads(workerThreads);
        if ((tlsCert == null) != (tlsKey == null)) throw new InvalidInputException("--tls-cert and --tls-key go together");
        if (tlsCert != null) {
            try {
                b.ssl(SslContextBuilder.forServer(tlsCert.toFile(), tlsKey.toFile()).build());
            } catch (SSLException | IllegalArgumentException e) {
                throw new InvalidInputException("cannot use --tls-cert/--tls-key: " + e.getMessage(), e);
            }
        }
        ServerConfig config = b.build();
        OverlayRenderer overlays = new OverlayRenderer(colormap, alpha);
        String chosenLayer = layer != null ? layer : model.config().layer();
        System.err.println("camstream: loading " + model.modelPath() + " and warming up ...");
        TorchBackend backend = TorchBackend.load(model.modelPath(), model.device(), model.optimize(), chosenLayer, prep.height(), prep.width(), model.labels());
        CamstreamServer server;
        try {
            server = CamstreamServer.start(config, backend, prep, overlays);
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
        // a stop signal is handled here, not by the JVM's default (which exits 128 + the signal's number even after a
        // clean drain): the first drains and returns normally, a second one stops at once
        CountDownLatch stopRequested = new CountDownLatch(1);
        for (String name : new String[]{"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), s -> {
                    if (stopRequested.getCount() == 0) {
                        System.err.println("camstream: second " + s.getName() + ": stopping without waiting for the drain");
                        Runtime.getRuntime().halt(128 + s.getNumber());
                    }
                    stopRequested.countDown();
                });
            } catch (IllegalArgumentException e) {
                // the JVM keeps this signal (-Xrs, say): the shutdown hook below still drains, with the JVM's exit status
                System.err.println("camstream: cannot handle SIG" + name + " here (" + e.getMessage() + "); it will still drain");
            }
        }
        // any other way the JVM goes down (System.exit, SIGHUP) still drains
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "camstream-shutdown"));
        var info = backend.info();
        System.err.printf("camstream: serving %s on %s, layer %s, %d classes, input %dx%d on %s:%d%s; max batch %d, max delay %d us%s%n",
                model.modelPath().getFileName(), model.device(), info.layer(), info.numClasses(), info.inputHeight(), info.inputWidth(), host, server.port(),
                config.ssl != null ? " (TLS)" : "", maxBatch, maxDelayMicros,
                server.metricsPort() >= 0 ? "; metrics on http://" + config.metricsHost() + ":" + server.metricsPort() + "/metrics"
                        + (config.token.isEmpty() ? "" : " (token required)") : "");
        stopRequested.await();
        System.err.println("camstream: shutting down (draining for up to " + drainMillis + " ms; a second Ctrl-C stops at once) ...");
        if (server.shutdown(Duration.ofMillis(drainMillis))) {
            System.err.println("camstream: stopped; every request was answered");
            return 0;
        }
        System.err.println("camstream: stopped; the drain ran out, and the requests still in flight were answered SHUTTING_DOWN"
                + " (a longer --drain-timeout-ms gives them time)");
        return 1;
    }

    private String token() throws IOException {
        if (tokenFile != null) {
            if (!Files.isRegularFile(tokenFile)) throw new InvalidInputException("--token-file " + tokenFile + " is not a readable file");
            String t = Files.readAllLines(tokenFile).stream().findFirst().orElse("").strip();
            if (t.isEmpty()) throw new InvalidInputException("--token-file " + tokenFile + " is empty");
            return t;
        }
        String env = System.getenv("CAMSTREAM_TOKEN");
        return env == null ? "" : env.strip();
    }
}
