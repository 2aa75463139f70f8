package io.camstream.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real single-broker KRaft cluster (one controller, one broker) inside the test JVM, on loopback. Its ports are
 * pre-bound by the test kit, so a restarted broker listens where it did before and clients reconnect.
 */
final class TestBroker implements AutoCloseable {
    /** Records up to this size pass the broker; the tests' oversized records exceed it. */
    static final int MAX_MESSAGE_BYTES = 2 << 20;

    private final KafkaClusterTestKit cluster;

    private TestBroker(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    static TestBroker start() throws Exception {
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder().setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "4")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("transaction.state.log.num.partitions", "4")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("message.max.bytes", String.valueOf(MAX_MESSAGE_BYTES))
                .setConfigProp("group.min.session.timeout.ms", "1000")
                .setConfigProp("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000")
                .setConfigProp("broker.session.timeout.ms", "3000")
                .setConfigProp("broker.heartbeat.interval.ms", "500")
                .build();
        try {
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new TestBroker(cluster);
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
    }

    String bootstrap() {
        return cluster.bootstrapServers();
    }

    void createTopic(String name, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** Stops the broker (the controller stays up), then starts it again on the same port and data. */
    void restartBroker() throws Exception {
        var broker = cluster.brokers().values().iterator().next();
        broker.shutdown();
        broker.awaitShutdown();
        broker.startup();
        cluster.waitForReadyBrokers();
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
