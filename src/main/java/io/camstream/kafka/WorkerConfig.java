package io.camstream.kafka;

import io.camstream.InvalidInputException;

import java.util.Map;
import java.util.UUID;

/**
 * What a worker is told at start.
 *
 * @param transactionalId   unique per live worker (a pod name is ideal: a restarted pod then fences and aborts its
 *                          predecessor's open transaction at once instead of after the transaction timeout)
 * @param maxBatch          records per poll, computed together (the poll is the batch)
 * @param maxAgeMillis      a frame whose record is older than this is answered DEADLINE_EXCEEDED; 0 = no limit
 * @param maxRecordBytes    an input value larger than this is answered INVALID without being decoded
 * @param maxRequestBytes   the producer's {@code max.request.size}; results are kept below it (else INVALID), so a
 *                          transaction never fails on a record too large to send
 * @param extra             further client properties, for consumer and producer alike (security, tuning)
 */
public record WorkerConfig(String bootstrap, String inTopic, String outTopic, String group, String transactionalId, int maxBatch,
                           long maxAgeMillis, int maxRecordBytes, int maxRequestBytes, int sessionTimeoutMillis,
                           int transactionTimeoutMillis, Map<String, String> extra) {
    /** Room for the key, headers and record overhead below {@code max.request.size}. */
    static final int RECORD_OVERHEAD_BYTES = 64 * 1024;

    public WorkerConfig {
        if (bootstrap == null || bootstrap.isBlank()) throw new InvalidInputException("--bootstrap is required (host:port of a Kafka broker)");
        if (inTopic == null || inTopic.isBlank() || outTopic == null || outTopic.isBlank()) throw new InvalidInputException("--in and --out topics are required");
        if (inTopic.equals(outTopic)) throw new InvalidInputException("--in and --out must be different topics");
        if (group == null || group.isBlank()) throw new InvalidInputException("--group must not be empty");
        if (transactionalId == null || transactionalId.isBlank()) transactionalId = "camstream-worker-" + UUID.randomUUID();
        if (maxBatch < 1 || maxBatch > 1024) throw new InvalidInputException("--max-batch must be in 1..1024, got " + maxBatch);
        if (maxAgeMillis < 0) throw new InvalidInputException("--max-age-ms must not be negative");
        if (maxRecordBytes < 1024) throw new InvalidInputException("--max-record-bytes must be at least 1024, got " + maxRecordBytes);
        if (maxRequestBytes < 2 * RECORD_OVERHEAD_BYTES) throw new InvalidInputException("--max-request-bytes must be at least " + 2 * RECORD_OVERHEAD_BYTES);
        if (sessionTimeoutMillis < 1000) throw new InvalidInputException("--session-timeout-ms must be at least 1000");
        if (transactionTimeoutMillis < 1000) throw new InvalidInputException("--transaction-timeout-ms must be at least 1000");
        extra = Map.copyOf(extra);
    }

    /** Defaults for everything but the addresses. */
    public static WorkerConfig of(String bootstrap, String inTopic, String outTopic, String group) {
        return new WorkerConfig(bootstrap, inTopic, outTopic, group, null, 16, 0, 8 << 20, 16 << 20, 10_000, 10_000, Map.of());
    }

    public WorkerConfig withTransactionalId(String id) {
        return new WorkerConfig(bootstrap, inTopic, outTopic, group, id, maxBatch, maxAgeMillis, maxRecordBytes, maxRequestBytes,
                sessionTimeoutMillis, transactionTimeoutMillis, extra);
    }

    public WorkerConfig withLimits(int maxBatch, long maxAgeMillis, int maxRecordBytes, int maxRequestBytes) {
        return new WorkerConfig(bootstrap, inTopic, outTopic, group, transactionalId, maxBatch, maxAgeMillis, maxRecordBytes, maxRequestBytes,
                sessionTimeoutMillis, transactionTimeoutMillis, extra);
    }

    public WorkerConfig withTimeouts(int sessionTimeoutMillis, int transactionTimeoutMillis) {
        return new WorkerConfig(bootstrap, inTopic, outTopic, group, transactionalId, maxBatch, maxAgeMillis, maxRecordBytes, maxRequestBytes,
                sessionTimeoutMillis, transactionTimeoutMillis, extra);
    }

    public WorkerConfig withExtra(Map<String, String> extra) {
        return new WorkerConfig(bootstrap, inTopic, outTopic, group, transactionalId, maxBatch, maxAgeMillis, maxRecordBytes, maxRequestBytes,
                sessionTimeoutMillis, transactionTimeoutMillis, extra);
    }

    /** The largest result body the worker will write. */
    public long maxResultBytes() {
        return maxRequestBytes - RECORD_OVERHEAD_BYTES;
    }
}
