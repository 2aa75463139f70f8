package io.camstream.server;

import io.camstream.protocol.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/** The server's Prometheus metrics. Every failure type is registered up front so that zero counts show. */
public final class ServerMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter requests;
    private final Counter results;
    private final Counter abandoned;
    private final Map<ErrorCode, Counter> failures = new EnumMap<>(ErrorCode.class);
    private final Timer queueTime;
    private final Timer computeTime;
    private final DistributionSummary batchSize;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private final RateMeter frames = new RateMeter(5);

    private final IntSupplier queued;

    ServerMetrics(int maxBatch, IntSupplier queueOccupancy, IntSupplier queued) {
        this.queued = queued;
        requests = Counter.builder("camstream.requests").description("EXPLAIN requests received").register(registry);
        results = Counter.builder("camstream.results").description("requests answered with a result").register(registry);
        abandoned = Counter.builder("camstream.abandoned").description("requests dropped because their connection closed first").register(registry);
        for (ErrorCode c : ErrorCode.values()) {
            failures.put(c, Counter.builder("camstream.failures").description("requests and connections answered with an error")
                    .tag("type", c.name()).register(registry));
        }
        queueTime = Timer.builder("camstream.queue").description("from reading a request to the start of its batch")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
        computeTime = Timer.builder("camstream.compute").description("time to compute one batch")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
        batchSize = DistributionSummary.builder("camstream.batch.size").description("requests per batch")
                .serviceLevelObjectives(batchBuckets(maxBatch)).register(registry);
        Gauge.builder("camstream.inflight", inFlight, AtomicInteger::get).description("requests admitted and not answered yet").register(registry);
        Gauge.builder("camstream.queue.occupancy", queueOccupancy, s -> s.getAsInt()).description("requests decoding or queued")
                .strongReference(true).register(registry);
        Gauge.builder("camstream.queue.depth", queued, s -> s.getAsInt()).description("decoded requests waiting for a batch")
                .strongReference(true).register(registry);
        Gauge.builder("camstream.connections", connections, AtomicInteger::get).description("open connections").register(registry);
        Gauge.builder("camstream.frames.per.second", frames, f -> f.perSecond(System.nanoTime()))
                .description("results sent per second over the last 5 s").register(registry);
    }

    /** Bytes of results written to connections and not yet sent: what clients that do not read make the server hold. */
    void resultBufferGauge(ResultBuffer buffer) {
        Gauge.builder("camstream.result.buffer", buffer, ResultBuffer::used).baseUnit("bytes")
                .description("result bytes written to connections and not yet sent").strongReference(true).register(registry);
    }

    /** 1, 2, 4, ... below maxBatch, then maxBatch itself. */
    private static double[] batchBuckets(int maxBatch) {
        java.util.List<Double> b = new java.util.ArrayList<>();
        for (int v = 1; v < maxBatch; v *= 2) b.add((double) v);
        b.add((double) maxBatch);
        return b.stream().mapToDouble(Double::doubleValue).toArray();
    }

    void requestReceived() {
        requests.increment();
    }

    void admitted() {
        inFlight.incrementAndGet();
    }

    void answeredInFlight() {
        inFlight.decrementAndGet();
    }

    void resultSent() {
        results.increment();
        frames.mark(System.nanoTime());
    }

    void failure(ErrorCode code) {
        failures.get(code).increment();
    }

    void abandoned() {
        abandoned.increment();
    }

    void batch(int size, long[] queueNanosOfEach, long computeNanos) {
        batchSize.record(size);
        computeTime.record(computeNanos, TimeUnit.NANOSECONDS);
        for (long q : queueNanosOfEach) queueTime.record(q, TimeUnit.NANOSECONDS);
    }

    void connectionOpened() {
        connections.incrementAndGet();
    }

    void connectionClosed() {
        connections.decrementAndGet();
    }

    public int inFlight() {
        return inFlight.get();
    }

    /** Decoded requests waiting for a batch. */
    public int queued() {
        return queued.getAsInt();
    }

    public double abandonedCount() {
        return abandoned.count();
    }

    public double failures(ErrorCode code) {
        return failures.get(code).count();
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }
}
