package io.camstream.kafka;

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
import java.util.concurrent.atomic.AtomicLong;

/** The worker's Prometheus metrics, named like the server's. Every error type is registered up front so zeros show. */
public final class WorkerMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter recordsIn;
    private final Counter results;
    private final Counter committed;
    private final Counter aborted;
    private final Counter rebalances;
    private final Map<ErrorCode, Counter> errors = new EnumMap<>(ErrorCode.class);
    private final DistributionSummary batchSize;
    private final Timer compute;
    private final Timer endToEnd;
    private final AtomicLong lag = new AtomicLong();
    private final AtomicInteger partitions = new AtomicInteger();

    WorkerMetrics(int maxBatch) {
        recordsIn = Counter.builder("camstream.kafka.records.in").description("input records consumed").register(registry);
        results = Counter.builder("camstream.kafka.results").description("RESULT records written").register(registry);
        committed = Counter.builder("camstream.kafka.transactions").tag("outcome", "committed").description("transactions").register(registry);
        aborted = Counter.builder("camstream.kafka.transactions").tag("outcome", "aborted").description("transactions").register(registry);
        rebalances = Counter.builder("camstream.kafka.rebalances").description("partition revocations and assignments").register(registry);
        for (ErrorCode c : ErrorCode.values()) {
            errors.put(c, Counter.builder("camstream.kafka.errors").tag("type", c.name()).description("ERROR records written").register(registry));
        }
        batchSize = DistributionSummary.builder("camstream.kafka.batch.size").description("records per poll processed together")
                .serviceLevelObjectives(buckets(maxBatch)).register(registry);
        compute = Timer.builder("camstream.kafka.batch.time").description("processing one poll's records, commit included")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
        endToEnd = Timer.builder("camstream.kafka.record.age").description("from the input record's timestamp to its answer's commit")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofSeconds(60)).register(registry);
        Gauge.builder("camstream.kafka.lag", lag, AtomicLong::get).description("records behind the end of the assigned input partitions").register(registry);
        Gauge.builder("camstream.kafka.partitions", partitions, AtomicInteger::get).description("input partitions assigned").register(registry);
    }

    private static double[] buckets(int maxBatch) {
        java.util.List<Double> b = new java.util.ArrayList<>();
        for (int v = 1; v < maxBatch; v *= 2) b.add((double) v);
        b.add((double) maxBatch);
        return b.stream().mapToDouble(Double::doubleValue).toArray();
    }

    void recordsIn(int n) {
        recordsIn.increment(n);
    }

    void committed(int results, Map<ErrorCode, Integer> errorsByType, int batch, long nanos, long[] ageMillis) {
        committed.increment();
        this.results.increment(results);
        errorsByType.forEach((c, n) -> errors.get(c).increment(n));
        batchSize.record(batch);
        compute.record(nanos, TimeUnit.NANOSECONDS);
        for (long a : ageMillis) endToEnd.record(Math.max(0, a), TimeUnit.MILLISECONDS);
    }

    void aborted() {
        aborted.increment();
    }

    void rebalance(int assigned) {
        rebalances.increment();
        partitions.set(assigned);
    }

    void lag(long records) {
        lag.set(records);
    }

    public double resultsCount() {
        return results.count();
    }

    public double errorsCount(ErrorCode code) {
        return errors.get(code).count();
    }

    public double abortedCount() {
        return aborted.count();
    }

    public String scrape() {
        return registry.scrape();
    }
}
