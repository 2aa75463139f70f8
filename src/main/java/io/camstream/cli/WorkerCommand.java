package io.camstream.cli;

import io.camstream.CamstreamException;
import io.camstream.image.OverlayRenderer;
import io.camstream.image.Preprocessing;
import io.camstream.kafka.CamstreamWorker;
import io.camstream.kafka.HealthEndpoint;
import io.camstream.kafka.WorkerConfig;
import io.camstream.server.FrameProcessor;
import io.camstream.server.ServerConfig;
import io.camstream.server.TorchBackend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

@Command(name = "worker", description = "Answer the EXPLAIN records of a Kafka topic with RESULT/ERROR records, exactly once, as one member of a consumer group "
        + "(docs/kafka.md). Start one per GPU or machine; the group shares the partitions. Ctrl-C leaves the group gracefully.",
        mixinStandardHelpOptions = true, sortOptions = false)
final class WorkerCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;

    @Option(names = "--in", required = true, paramLabel = "TOPIC", description = "Topic of EXPLAIN records (frames).")
    String in;

    @Option(names = "--out", required = true, paramLabel = "TOPIC", description = "Topic for RESULT and ERROR records (heatmaps).")
    String out;

    @Option(names = "--group", defaultValue = "camstream", paramLabel = "ID", description = "Consumer group. Default: ${DEFAULT-VALUE}.")
    String group;

    @Option(names = "--transactional-id", paramLabel = "ID",
            description = "Unique per live worker and stable across its restarts (e.g. the pod name), so a restart aborts its predecessor's open transaction at once. Default: random.")
    String transactionalId;

    @Mixin
    ModelOptions model;

    @Option(names = "--layer", paramLabel = "PATH", description = "Layer to explain. Default: the config's, else the last layer with a spatial output.")
    String layer;

    @Option(names = "--max-batch", paramLabel = "N", defaultValue = "16", description = "Records per poll, computed as one batch. Default: ${DEFAULT-VALUE}.")
    int maxBatch;

    @Option(names = "--max-age-ms", paramLabel = "MS", defaultValue = "0",
            description = "A frame whose record is older than this is answered DEADLINE_EXCEEDED, not computed; 0 for no limit. Default: ${DEFAULT-VALUE}.")
    long maxAgeMillis;

    @Option(names = "--max-record-bytes", paramLabel = "N", defaultValue = "8388608",
            description = "Larger input records are answered INVALID without being decoded. Default: ${DEFAULT-VALUE}.")
    int maxRecordBytes;

    @Option(names = "--max-request-bytes", paramLabel = "N", defaultValue = "16777216",
            description = "The producer's max.request.size; results that would not fit are answered INVALID. The --out topic's max.message.bytes must allow it. Default: ${DEFAULT-VALUE}.")
    int maxRequestBytes;

    @Option(names = "--session-timeout-ms", paramLabel = "MS", defaultValue = "10000",
            description = "How long the group waits for a silent worker before moving its partitions. Default: ${DEFAULT-VALUE}.")
    int sessionTimeoutMillis;

    @Option(names = "--transaction-timeout-ms", paramLabel = "MS", defaultValue = "10000",
            description = "A dead worker's open transaction is aborted after this long (read_committed readers wait for it). Default: ${DEFAULT-VALUE}.")
    int transactionTimeoutMillis;

    @Option(names = "--metrics-host", paramLabel = "ADDR", defaultValue = "127.0.0.1", description = "Address of the metrics/health listener. Default: ${DEFAULT-VALUE}.")
    String metricsHost;

    @Option(names = "--metrics-port", paramLabel = "N", defaultValue = "9464",
            description = "HTTP port for /metrics (Prometheus), /health/live and /health/ready; -1 for none. Default: ${DEFAULT-VALUE}.")
    int metricsPort;

    @Mixin
    ImageLimitOptions imageLimits;

    @Option(names = "--colormap", paramLabel = "NAME", defaultValue = "jet", description = "For JPEG overlays: jet, turbo, magma, viridis. Default: ${DEFAULT-VALUE}.")
    String colormap;

    @Option(names = "--alpha", paramLabel = "A", defaultValue = "0.5", description = "Overlay opacity. Default: ${DEFAULT-VALUE}.")
    double alpha;

    @Option(names = "--jpeg-quality", paramLabel = "Q", defaultValue = "85", description = "For JPEG overlays. Default: ${DEFAULT-VALUE}.")
    int jpegQuality;

    @Override
    public Integer call() throws Exception {
        WorkerConfig config = new WorkerConfig(kafka.bootstrap, in, out, group, transactionalId, maxBatch, maxAgeMillis, maxRecordBytes, maxRequestBytes,
                sessionTimeoutMillis, transactionTimeoutMillis, kafka.extra());
        if (jpegQuality < 1 || jpegQuality > 100) throw new io.camstream.InvalidInputException("--jpeg-quality must be in 1..100");
        model.applyThreads();
        Preprocessing prep = model.preprocessing();
        OverlayRenderer overlays = new OverlayRenderer(colormap, alpha);
        AtomicReference<CamstreamWorker> worker = new AtomicReference<>();
        // the health endpoint comes first, so that probes see "not ready" while the model loads
        HealthEndpoint health;
        try {
            health = metricsPort < 0 ? null : HealthEndpoint.start(metricsHost, metricsPort,
                    () -> worker.get() == null ? "" : worker.get().metrics().scrape(), () -> worker.get() != null && worker.get().isReady());
        } catch (java.io.IOException e) {
            throw new CamstreamException("cannot serve metrics on " + metricsHost + ":" + metricsPort + ": " + e.getMessage(), e);
        }
        try {
            String chosenLayer = layer != null ? layer : model.config().layer();
            System.err.println("camstream: loading " + model.modelPath() + " and warming up ...");
            TorchBackend backend = TorchBackend.load(model.modelPath(), model.device(), model.optimize(), chosenLayer, prep.height(), prep.width(), model.labels());
            CamstreamWorker w = CamstreamWorker.start(config, new FrameProcessor(backend, prep, overlays, jpegQuality, config.maxResultBytes(),
                    imageLimits.applyTo(ServerConfig.builder()).build()));
            worker.set(w);
            Thread hook = new Thread(() -> {
                System.err.println("camstream: leaving the group ...");
                w.close(Duration.ofSeconds(30));
            }, "camstream-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            System.err.printf("camstream: worker in group %s: %s -> %s (transactional id %s)%s%n", group, in, out, config.transactionalId(),
                    health != null ? "; metrics on http://" + metricsHost + ":" + health.port() + "/metrics" : "");
            w.await();
            if (w.failure() != null) {
                Runtime.getRuntime().removeShutdownHook(hook);
                throw new CamstreamException("worker stopped: " + w.failure().getMessage(), w.failure());
            }
        } finally {
            if (health != null) health.close();
        }
        return 0;
    }
}
