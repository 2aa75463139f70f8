package io.camstream.kafka;

import io.camstream.CamstreamException;
import io.camstream.protocol.ErrorCode;
import io.camstream.protocol.ErrorMessage;
import io.camstream.protocol.ExplainRequest;
import io.camstream.protocol.ExplainResult;
import io.camstream.protocol.Message;
import io.camstream.protocol.Opcode;
import io.camstream.protocol.ProtocolException;
import io.camstream.server.FrameProcessor;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * A member of a consumer group that answers every input record with exactly one RESULT or ERROR record,
 * exactly once: each poll's records are one batch, computed on this worker's single thread (the model's), and
 * their answers and input offsets are committed in one transaction. A transaction that fails is aborted, the
 * producer is rebuilt under the same transactional id, the input is rewound and the batch redone: consumers in
 * {@code read_committed} never see half a batch.
 *
 * <p>Records that cannot be served (malformed body, undecodable image, over the size limit, too old) are answered
 * with a typed ERROR record, so no record stops its partition. Memory stays bounded without pause/resume: the
 * loop never fetches ahead of what it computes, so at most {@code max.poll.records} values plus the consumer's
 * fetch buffer ({@code fetch.max.bytes}) are held.
 */
public final class CamstreamWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CamstreamWorker.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final java.util.concurrent.atomic.AtomicInteger WORKERS = new java.util.concurrent.atomic.AtomicInteger();

    private final WorkerConfig config;
    private final FrameProcessor processor;
    private final WorkerMetrics metrics;
    private final Thread thread;
    private final KafkaConsumer<String, byte[]> consumer;
    private KafkaProducer<String, byte[]> producer;
    private volatile boolean running = true;
    private volatile boolean crash;
    private volatile boolean ready;
    private volatile Throwable failure;

    private CamstreamWorker(WorkerConfig config, FrameProcessor processor) {
        this.config = config;
        this.processor = processor;
        this.metrics = new WorkerMetrics(config.maxBatch());
        this.consumer = new KafkaConsumer<>(consumerProperties(config), new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::loop, "camstream-kafka-worker-" + WORKERS.incrementAndGet());
    }

    /** Joins the group and starts answering; the processor (and its model) now belongs to the worker. */
    public static CamstreamWorker start(WorkerConfig config, FrameProcessor processor) {
        CamstreamWorker w = new CamstreamWorker(config, processor);
        w.thread.start();
        return w;
    }

    static Map<String, Object> consumerProperties(WorkerConfig c) {
        Map<String, Object> p = new HashMap<>(c.extra());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, c.group());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, c.maxBatch());
        p.put("session.timeout.ms", c.sessionTimeoutMillis());
        p.put("heartbeat.interval.ms", Math.max(100, c.sessionTimeoutMillis() / 4));
        // one oversized record must still come through (it is then answered INVALID), so the fetch limits sit above
        // the record limit; the consumer returns a first record larger than them anyway
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Math.max(c.maxRecordBytes() + 65536, 1 << 20));
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Math.max(c.maxRecordBytes() * 2 + 65536, 50 << 20));
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
        return p;
    }

    static Map<String, Object> producerProperties(WorkerConfig c) {
        Map<String, Object> p = new HashMap<>(c.extra());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrap());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, c.transactionalId());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, c.maxRequestBytes());
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, c.transactionTimeoutMillis());
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        return p;
    }

    public WorkerMetrics metrics() {
        return metrics;
    }

    /** Partitions assigned and not rebalancing: what /health/ready reports. */
    public boolean isReady() {
        return ready && running && thread.isAlive();
    }

    public boolean isAlive() {
        return thread.isAlive();
    }

    /** Why the worker stopped on its own, or null. */
    public Throwable failure() {
        return failure;
    }

    private void loop() {
        try {
            producer = newProducer();
            consumer.subscribe(List.of(config.inTopic()), new Rebalance());
            while (running) {
                ConsumerRecords<String, byte[]> records;
                try {
                    records = consumer.poll(POLL);
                } catch (WakeupException e) {
                    continue;
                }
                updateLag();
                if (!records.isEmpty()) processInTransaction(records);
            }
            consumer.close(Duration.ofSeconds(10));
            producer.close(Duration.ofSeconds(10));
            log.info("worker left the group {} cleanly", config.group());
        } catch (CrashedForTest e) {
            log.warn("worker crashed on purpose in the middle of a transaction");
        } catch (InterruptException e) {
            if (!crash) {
                failure = e;
                log.error("worker interrupted", e);
            }
        } catch (Throwable t) {
            failure = t;
            log.error("worker stopped", t);
        } finally {
            ready = false;
            if (crash) {
                // as a killed process leaves things: nothing committed, nothing aborted, no goodbye
                closeQuietly(() -> consumer.close(Duration.ZERO));
                if (producer != null) closeQuietly(() -> producer.close(Duration.ZERO));
            } else if (failure != null) {
                closeQuietly(() -> consumer.close(Duration.ofSeconds(5)));
                if (producer != null) closeQuietly(() -> producer.close(Duration.ofSeconds(5)));
            }
            try {
                processor.close();
            } catch (RuntimeException e) {
                log.warn("closing the model failed", e);
            }
        }
    }

    private KafkaProducer<String, byte[]> newProducer() throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            KafkaProducer<String, byte[]> p = new KafkaProducer<>(producerProperties(config), new StringSerializer(), new ByteArraySerializer());
            try {
                // fences any earlier producer with this id and aborts its open transaction
                p.initTransactions();
                return p;
            } catch (KafkaException e) {
                p.close(Duration.ZERO);
                if (!running || crash) throw e;
                log.warn("cannot start a transactional producer (attempt {}): {}; retrying", attempt, e.toString());
                Thread.sleep(Math.min(5000, 200L * attempt));
            }
        }
    }

    /** One poll's records answered and their offsets committed, all or nothing; on failure redone from the same offsets. */
    private void processInTransaction(ConsumerRecords<String, byte[]> records) throws InterruptedException {
        metrics.recordsIn(records.count());
        long start = System.nanoTime();
        Map<TopicPartition, Long> firstOffsets = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        List<ConsumerRecord<String, byte[]>> all = new ArrayList<>(records.count());
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<String, byte[]>> part = records.records(tp);
            firstOffsets.put(tp, part.get(0).offset());
            next.put(tp, new OffsetAndMetadata(part.get(part.size() - 1).offset() + 1));
            all.addAll(part);
        }
        List<Message> answers = answer(all);
        try {
            producer.beginTransaction();
            for (int i = 0; i < all.size(); i++) producer.send(answerRecord(all.get(i), answers.get(i)));
            if (crash) {
                // the worst moment to die: this batch's answers are in the log, its offsets not committed
                producer.flush();
                throw new CrashedForTest();
            }
            producer.sendOffsetsToTransaction(next, consumer.groupMetadata());
            producer.commitTransaction();
        } catch (CrashedForTest e) {
            throw e;
        } catch (ProducerFencedException e) {
            // a newer producer with our transactional id exists: we are the zombie, and must not fight it
            throw new CamstreamException("fenced: another worker took over transactional id " + config.transactionalId()
                    + " (each live worker needs its own --transactional-id); stopping without committing", e);
        } catch (KafkaException e) {
            if (e instanceof InterruptException) throw e;
            metrics.aborted();
            log.warn("transaction for {} records failed ({}); aborting and redoing the batch", all.size(), e.toString());
            producer.close(Duration.ZERO);
            producer = newProducer();
            rewind(firstOffsets);
            return;
        }
        long now = System.currentTimeMillis();
        long[] ages = new long[all.size()];
        int results = 0;
        Map<ErrorCode, Integer> errors = new EnumMap<>(ErrorCode.class);
        for (int i = 0; i < all.size(); i++) {
            ages[i] = now - all.get(i).timestamp();
            if (answers.get(i) instanceof ErrorMessage em) errors.merge(em.errorCode(), 1, Integer::sum);
            else results++;
        }
        metrics.committed(results, errors, all.size(), System.nanoTime() - start, ages);
    }

    /** Back to the first offset of the failed batch on each partition still ours; the others' new owners start there anyway. */
    private void rewind(Map<TopicPartition, Long> firstOffsets) {
        var assigned = consumer.assignment();
        firstOffsets.forEach((tp, offset) -> {
            if (assigned.contains(tp)) consumer.seek(tp, offset);
        });
    }

    /** One answer per record, in order: records that can be computed go to the processor as one batch. */
    private List<Message> answer(List<ConsumerRecord<String, byte[]>> records) {
        Message[] answers = new Message[records.size()];
        List<ExplainRequest> batch = new ArrayList<>();
        List<Integer> batchIndex = new ArrayList<>();
        List<Long> queued = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (int i = 0; i < records.size(); i++) {
            ConsumerRecord<String, byte[]> r = records.get(i);
            long age = now - r.timestamp();
            if (r.value() != null && r.value().length > config.maxRecordBytes()) {
                answers[i] = new ErrorMessage(KafkaRecords.RECORD_REQUEST_ID, ErrorCode.INVALID, "record of " + r.value().length
                        + " bytes exceeds the worker's limit of " + config.maxRecordBytes() + " (--max-record-bytes)");
                continue;
            }
            ExplainRequest req;
            try {
                req = KafkaRecords.decodeRequest(r.headers(), r.value());
            } catch (ProtocolException e) {
                answers[i] = e.toErrorMessage();
                continue;
            }
            if (config.maxAgeMillis() > 0 && age > config.maxAgeMillis()) {
                answers[i] = new ErrorMessage(req.requestId(), ErrorCode.DEADLINE_EXCEEDED, "frame is " + age + " ms old, over --max-age-ms "
                        + config.maxAgeMillis() + "; not computed");
                continue;
            }
            if (req.deadlineMicros() > 0 && age * 1000 > req.deadlineMicros()) {
                answers[i] = new ErrorMessage(req.requestId(), ErrorCode.DEADLINE_EXCEEDED, "frame is " + age + " ms old, past its deadline of "
                        + req.deadlineMicros() / 1000 + " ms; not computed");
                continue;
            }
            batch.add(req);
            batchIndex.add(i);
            queued.add(Math.max(0, age) * 1000);
        }
        if (!batch.isEmpty()) {
            long[] queueMicros = queued.stream().mapToLong(Long::longValue).map(v -> Math.min(v, 0xFFFF_FFFFL)).toArray();
            List<Message> computed = processor.process(batch, queueMicros);
            for (int j = 0; j < computed.size(); j++) answers[batchIndex.get(j)] = computed.get(j);
        }
        return List.of(answers);
    }

    private ProducerRecord<String, byte[]> answerRecord(ConsumerRecord<String, byte[]> in, Message answer) {
        String source = in.topic() + "/" + in.partition() + "/" + in.offset();
        Long frame = answer instanceof ExplainResult r ? Long.valueOf(r.frameNumber()) : frameOf(in);
        Opcode op = answer instanceof ExplainResult ? Opcode.RESULT : Opcode.ERROR;
        return new ProducerRecord<>(config.outTopic(), null, in.key(), KafkaRecords.body(answer), KafkaRecords.answerHeaders(op, source, frame));
    }

    /** The frame number of a request that could not be served, when its body can still be read. */
    private Long frameOf(ConsumerRecord<String, byte[]> in) {
        if (in.value() == null || in.value().length > config.maxRecordBytes()) return null;
        try {
            return KafkaRecords.decodeRequest(in.headers(), in.value()).frameNumber();
        } catch (ProtocolException e) {
            return null;
        }
    }

    private void updateLag() {
        long lag = 0;
        for (TopicPartition tp : consumer.assignment()) {
            OptionalLong l = consumer.currentLag(tp);
            if (l.isPresent()) lag += l.getAsLong();
        }
        metrics.lag(lag);
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // called inside poll: the previous batch is committed (or aborted) by then, so nothing is in flight
            if (!partitions.isEmpty()) ready = false;
            metrics.rebalance(consumer.assignment().size() - partitions.size());
            log.info("partitions revoked: {}", partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            ready = true;
            metrics.rebalance(consumer.assignment().size());
            log.info("partitions assigned: {} (now {})", partitions, consumer.assignment());
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            ready = false;
            log.warn("partitions lost: {}", partitions);
        }
    }

    /**
     * Stops like a process killed mid-batch: in the next batch, its answers are sent but never committed, and the
     * clients are dropped without a goodbye or an abort. For fault tests. Waits at most 30 s; false if no batch came.
     */
    boolean crash() throws InterruptedException {
        crash = true;
        thread.join(TimeUnit.SECONDS.toMillis(30));
        return !thread.isAlive();
    }

    /**
     * Leaves gracefully: finishes and commits the batch in hand, leaves the group (its partitions move at once),
     * closes the model. Waits at most {@code timeout}.
     */
    public void close(Duration timeout) {
        running = false;
        consumer.wakeup();
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) log.warn("worker still busy after {}", timeout);
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    /** Waits until the worker stops on its own (a fatal error) or is closed. */
    public void await() throws InterruptedException {
        thread.join();
    }

    private static void closeQuietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.debug("close failed", e);
        }
    }

    private static final class CrashedForTest extends RuntimeException {
        CrashedForTest() {
            super("crashed on purpose", null, false, false);
        }
    }
}
