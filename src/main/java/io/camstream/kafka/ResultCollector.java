package io.camstream.kafka;

import io.camstream.CamstreamException;
import io.camstream.InvalidInputException;
import io.camstream.protocol.ProtocolException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads answers from the results topic in {@code read_committed}, so only committed transactions show: each input
 * frame's one answer, never one from an aborted batch. Reads every partition from the start, without a group;
 * optionally one stream only.
 */
public final class ResultCollector implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ResultCollector.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final Long stream;

    /** @param stream only this stream's answers (they share one partition), or null for all */
    public ResultCollector(String bootstrap, String topic, Long stream, Map<String, String> extra) {
        Map<String, Object> p = new HashMap<>(extra);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 << 20);
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.stream = stream;
        List<TopicPartition> partitions = new ArrayList<>();
        try {
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) partitions.add(new TopicPartition(topic, info.partition()));
        } catch (KafkaException e) {
            consumer.close(Duration.ZERO);
            throw new CamstreamException("cannot read topic " + topic + " at " + bootstrap + ": " + e.getMessage(), e);
        }
        if (partitions.isEmpty()) {
            consumer.close(Duration.ZERO);
            throw new InvalidInputException("topic " + topic + " does not exist at " + bootstrap);
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** The answers that arrived within {@code timeout} (possibly none); records that are not answers are skipped with a warning. */
    public List<KafkaRecords.Answer> poll(Duration timeout) {
        List<KafkaRecords.Answer> out = new ArrayList<>();
        String key = stream == null ? null : KafkaRecords.key(stream);
        for (ConsumerRecord<String, byte[]> r : consumer.poll(timeout)) {
            if (key != null && !key.equals(r.key())) continue;
            try {
                out.add(KafkaRecords.answer(r.key(), r.headers(), r.value()));
            } catch (ProtocolException e) {
                log.warn("skipping record {}/{}/{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
            }
        }
        return out;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
