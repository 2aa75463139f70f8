package io.camstream.kafka;

import org.junit.jupiter.api.Test;

class BrokerSmokeTest {
    @Test
    void starts() throws Exception {
        long t = System.nanoTime();
        try (TestBroker b = TestBroker.start()) {
            b.createTopic("x", 2);
            System.out.println("broker up in " + (System.nanoTime() - t) / 1e6 + " ms at " + b.bootstrap());
            t = System.nanoTime();
            b.restartBroker();
            System.out.println("restart " + (System.nanoTime() - t) / 1e6 + " ms");
        }
    }
}
