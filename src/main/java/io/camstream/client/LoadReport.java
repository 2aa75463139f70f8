package io.camstream.client;

import org.HdrHistogram.Histogram;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a load run measured. Latency runs from each request's scheduled send time to its answer, so a stalled
 * sender cannot hide queueing (no coordinated omission).
 *
 * @param lost requests with no answer from the server: unanswered at the end of the drain, or whose connection
 *             closed first. Must be 0.
 */
public record LoadReport(int streams, double fpsPerStream, double seconds, long sent, long results, Map<String, Long> errors, long lost,
                         Histogram latencyMicros, double meanQueueMicros, double meanComputeMicros, double meanBatchSize) {
    public LoadReport {
        errors = new TreeMap<>(errors);
    }

    public double offeredFps() {
        return streams * fpsPerStream;
    }

    public double achievedFps() {
        return seconds > 0 ? results / seconds : 0;
    }

    public double latencyMillis(double percentile) {
        return latencyMicros.getTotalCount() == 0 ? Double.NaN : latencyMicros.getValueAtPercentile(percentile) / 1000.0;
    }

    public double maxLatencyMillis() {
        return latencyMicros.getTotalCount() == 0 ? Double.NaN : latencyMicros.getMaxValue() / 1000.0;
    }

    /** The human-readable report. */
    public String format() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "offered   %.1f fps (%d streams x %.1f fps for %.1f s), sent %d%n", offeredFps(), streams, fpsPerStream, seconds, sent));
        b.append(String.format(Locale.ROOT, "achieved  %.1f fps (%d results)%n", achievedFps(), results));
        b.append(String.format(Locale.ROOT, "latency   p50 %.1f ms  p95 %.1f ms  p99 %.1f ms  max %.1f ms%n",
                latencyMillis(50), latencyMillis(95), latencyMillis(99), maxLatencyMillis()));
        b.append(String.format(Locale.ROOT, "server    mean queue %.1f ms, mean compute %.1f ms per batch, mean batch %.1f%n",
                meanQueueMicros / 1000, meanComputeMicros / 1000, meanBatchSize));
        b.append("errors    ").append(errors.isEmpty() ? "none" : errors.toString()).append(System.lineSeparator());
        b.append("lost      ").append(lost).append(System.lineSeparator());
        return b.toString();
    }

    /** One JSON object, for scripts and benchmark tables. */
    public String toJson() {
        StringBuilder e = new StringBuilder("{");
        errors.forEach((k, v) -> e.append(e.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
        e.append('}');
        return String.format(Locale.ROOT, "{\"streams\":%d,\"fps_per_stream\":%.3f,\"seconds\":%.3f,\"offered_fps\":%.3f,\"sent\":%d,\"results\":%d,"
                        + "\"achieved_fps\":%.3f,\"p50_ms\":%.3f,\"p95_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,\"mean_queue_ms\":%.3f,"
                        + "\"mean_compute_ms\":%.3f,\"mean_batch\":%.3f,\"errors\":%s,\"lost\":%d}",
                streams, fpsPerStream, seconds, offeredFps(), sent, results, achievedFps(), latencyMillis(50), latencyMillis(95), latencyMillis(99),
                maxLatencyMillis(), meanQueueMicros / 1000, meanComputeMicros / 1000, meanBatchSize, e, lost);
    }
}
