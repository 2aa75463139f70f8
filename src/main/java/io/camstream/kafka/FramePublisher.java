package io.camstream.kafka;

import io.camstream.CamstreamException;
import io.camstream.InvalidInputException;
import io.camstream.protocol.ExplainRequest;
import io.camstream.protocol.Opcode;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Frames to the input topic as EXPLAIN records, keyed by stream id. Idempotent with {@code acks=all}: a retried
 * send is never written twice. A frame over {@code max.request.size} fails its future with a typed error.
 */
public final class FramePublisher implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final int maxRequestBytes;

    public FramePublisher(String bootstrap, String topic, int maxRequestBytes, Map<String, String> extra) {
        if (topic == null || topic.isBlank()) throw new InvalidInputException("--topic is required");
        Map<String, Object> p = new HashMap<>(extra);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRequestBytes);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.topic = topic;
        this.maxRequestBytes = maxRequestBytes;
    }

    /** Sends one frame; the future completes when the broker has it (or fails with the reason). */
    public CompletableFuture<RecordMetadata> publish(ExplainRequest frame) {
        byte[] value = KafkaRecords.body(frame);
        CompletableFuture<RecordMetadata> f = new CompletableFuture<>();
        if (value.length + WorkerConfig.RECORD_OVERHEAD_BYTES > maxRequestBytes) {
            f.completeExceptionally(new InvalidInputException("frame " + frame.frameNumber() + " of stream " + frame.streamId() + " takes " + value.length
                    + " bytes, over the " + maxRequestBytes + "-byte record limit (--max-request-bytes; the topic's max.message.bytes must allow it too)"));
            return f;
        }
        producer.send(new ProducerRecord<>(topic, null, KafkaRecords.key(frame.streamId()), value, KafkaRecords.requestHeaders(frame)), (md, e) -> {
            if (e != null) f.completeExceptionally(new CamstreamException("frame " + frame.frameNumber() + " not published: " + e.getMessage(), e));
            else f.complete(md);
        });
        return f;
    }

    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(30));
    }
}
