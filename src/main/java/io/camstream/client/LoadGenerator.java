package io.camstream.client;

import io.camstream.InvalidInputException;
import io.camstream.protocol.ExplainRequest;
import io.camstream.protocol.ExplainResult;
import org.HdrHistogram.Recorder;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Open-loop load: {@code streams} streams each send a frame every {@code 1/fps} s for the duration, whether or not
 * earlier frames were answered (as cameras do), spread over {@code connections} connections and staggered within a
 * period. Then it waits for the answers still in flight (at most the drain timeout) and reports.
 */
public final class LoadGenerator {
    /**
     * @param template the request each stream sends (stream id and frame number are set per frame)
     */
    public record Settings(int streams, double fps, Duration duration, int connections, ExplainRequest template, Duration drainTimeout) {
        public Settings {
            if (streams < 1) throw new InvalidInputException("--streams must be at least 1, got " + streams);
            if (!(fps > 0) || fps > 10_000) throw new InvalidInputException("--fps must be in (0, 10000], got " + fps);
            if (duration.isNegative() || duration.isZero()) throw new InvalidInputException("--seconds must be positive");
            if (connections < 1) throw new InvalidInputException("--connections must be at least 1, got " + connections);
        }
    }

    /** One server, or several for a sharded client. */
    private final List<ClientOptions> servers;
    private final Settings settings;
    private final Recorder latency = new Recorder(3_600_000_000L, 3);
    private final LongAdder sent = new LongAdder();
    private final LongAdder answered = new LongAdder();
    private final LongAdder results = new LongAdder();
    private final LongAdder connectionLost = new LongAdder();
    private final LongAdder queueMicros = new LongAdder();
    private final LongAdder computeMicros = new LongAdder();
    private final LongAdder batchSizes = new LongAdder();
    private final AtomicLong lastResultNanos = new AtomicLong(Long.MIN_VALUE);
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

    public LoadGenerator(ClientOptions options, Settings settings) {
        this(List.of(options), settings);
    }

    /** Each connection is a {@link ShardedClient} over {@code servers} when there are several. */
    public LoadGenerator(List<ClientOptions> servers, Settings settings) {
        this.servers = List.copyOf(servers);
        this.settings = settings;
    }

    /** Runs the load; progress lines (one per second) go to {@code progress}, which may be null. */
    public LoadReport run(PrintStream progress) throws InterruptedException {
        List<ExplainClient> clients = new ArrayList<>();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "camstream-load");
            t.setDaemon(true);
            return t;
        });
        try {
            for (int i = 0; i < settings.connections; i++) clients.add(servers.size() == 1 ? CamstreamClient.connect(servers.get(0)) : ShardedClient.connect(servers));
            long periodNanos = (long) (1e9 / settings.fps);
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
            long stop = start + settings.duration.toNanos();
            List<ScheduledFuture<?>> tasks = new ArrayList<>();
            for (int s = 0; s < settings.streams; s++) {
                long offset = periodNanos * s / settings.streams;
                ExplainClient client = clients.get(s % clients.size());
                int stream = s;
                AtomicLong frame = new AtomicLong();
                tasks.add(scheduler.scheduleAtFixedRate(() -> {
                    long k = frame.getAndIncrement();
                    long intended = start + offset + k * periodNanos;
                    if (intended - stop >= 0) return;
                    send(client, stream, k, intended);
                }, start + offset - System.nanoTime(), periodNanos, TimeUnit.NANOSECONDS));
            }
            long lastReport = System.nanoTime();
            while (System.nanoTime() - stop < 0) {
                Thread.sleep(Math.max(1, Math.min(200, TimeUnit.NANOSECONDS.toMillis(stop - System.nanoTime()))));
                if (progress != null && System.nanoTime() - lastReport >= 1_000_000_000L) {
                    lastReport = System.nanoTime();
                    progress.printf(Locale.ROOT, "load: %.0f s, sent %d, answered %d, results %d%n",
                            (lastReport - start) / 1e9, sent.sum(), answered.sum(), results.sum());
                }
            }
            for (ScheduledFuture<?> t : tasks) t.cancel(false);
            scheduler.shutdown();
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
            long drainUntil = System.nanoTime() + settings.drainTimeout.toNanos();
            while (answered.sum() < sent.sum() && System.nanoTime() - drainUntil < 0) Thread.sleep(5);
            // results that come after the sending window (a queue draining) count over the time they took to come
            long last = lastResultNanos.get();
            double seconds = Math.max(settings.duration.toNanos(), last == Long.MIN_VALUE ? 0 : last - start) / 1e9;
            long res = results.sum();
            Map<String, Long> errorCounts = new java.util.TreeMap<>();
            errors.forEach((k, v) -> errorCounts.put(k, v.sum()));
            long lost = sent.sum() - answered.sum() + connectionLost.sum();
            return new LoadReport(settings.streams, settings.fps, seconds, sent.sum(), res, errorCounts, lost, latency.getIntervalHistogram(),
                    res == 0 ? 0 : (double) queueMicros.sum() / res, res == 0 ? 0 : (double) computeMicros.sum() / res,
                    res == 0 ? 0 : (double) batchSizes.sum() / res);
        } finally {
            scheduler.shutdownNow();
            for (ExplainClient c : clients) c.close(Duration.ofSeconds(1));
        }
    }

    private void send(ExplainClient client, int stream, long frame, long intendedNanos) {
        ExplainRequest t = settings.template;
        sent.increment();
        client.explain(new ExplainRequest(0, stream, frame, t.method(), t.target(), t.deadlineMicros(), t.priority(), t.result(), t.payload()))
                .whenComplete((r, e) -> record(r, e, intendedNanos));
    }

    private void record(ExplainResult r, Throwable e, long intendedNanos) {
        long micros = Math.max(0, TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - intendedNanos));
        if (r != null) {
            latency.recordValue(Math.min(micros, 3_600_000_000L));
            results.increment();
            queueMicros.add(r.queueMicros());
            computeMicros.add(r.computeMicros());
            batchSizes.add(r.batchSize());
            lastResultNanos.accumulateAndGet(System.nanoTime(), Math::max);
        } else {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            String type = cause instanceof RequestFailedException f ? f.type() : cause.getClass().getSimpleName();
            if (cause instanceof RequestFailedException f && f.localReason() == RequestFailedException.LocalReason.CONNECTION_LOST) {
                connectionLost.increment();
            }
            errors.computeIfAbsent(type, k -> new LongAdder()).increment();
        }
        answered.increment();
    }
}
