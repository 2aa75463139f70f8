package io.camstream.cli;

import io.camstream.InvalidInputException;
import picocli.CommandLine.Option;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** How `worker`, `publish` and `collect` reach Kafka: the bootstrap servers and any further client properties. */
final class KafkaOptions {
    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT[,...]", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "A Kafka client property (repeatable), e.g. security.protocol=SSL; camstream's own settings for exactly-once win over these.")
    List<String> properties = List.of();

    Map<String, String> extra() {
        Map<String, String> m = new HashMap<>();
        for (String p : properties) {
            int eq = p.indexOf('=');
            if (eq < 1) throw new InvalidInputException("--kafka-property must be KEY=VALUE, got '" + p + "'");
            m.put(p.substring(0, eq).strip(), p.substring(eq + 1).strip());
        }
        return m;
    }
}
