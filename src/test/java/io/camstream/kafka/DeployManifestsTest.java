package io.camstream.kafka;

import io.camstream.cli.Main;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;

import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/k8s against the binaries: every container runs a real camstream command whose flags parse, declares the
 * ports those flags open, listens where the kubelet can reach it, and probes paths the health listener serves;
 * Services and the autoscaler point at what exists.
 */
@SuppressWarnings("unchecked")
class DeployManifestsTest {
    private static final Path K8S = Path.of("deploy/k8s");

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> documents() throws Exception {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (String f : List.of("serve.yaml", "worker.yaml")) {
            try (Reader r = Files.newBufferedReader(K8S.resolve(f))) {
                for (Object d : new Yaml().loadAll(r)) if (d != null) docs.add((Map<String, Object>) d);
            }
        }
        return docs;
    }

    @SuppressWarnings("unchecked")
    private static <T> T at(Object node, String... path) {
        Object o = node;
        for (String p : path) {
            assertTrue(o instanceof Map, "no " + String.join(".", path));
            o = ((Map<String, Object>) o).get(p);
        }
        return (T) o;
    }

    private static List<Map<String, Object>> ofKind(List<Map<String, Object>> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    /** The value a parsed option ends with: the given one, else its default. */
    private static String value(CommandLine.ParseResult parsed, CommandLine.Model.CommandSpec spec, String option) {
        CommandLine.Model.OptionSpec o = spec.findOption(option);
        assertNotNull(o, spec.name() + " has no " + option);
        return parsed.hasMatchedOption(option) ? parsed.matchedOption(option).stringValues().get(0) : o.defaultValue();
    }

    @Test
    void containersRunRealCommandsWithTheirPortsAndProbes() throws Exception {
        List<Map<String, Object>> deployments = ofKind(documents(), "Deployment");
        assertEquals(Set.of("camstream-serve", "camstream-worker"), Set.copyOf(deployments.stream().map(d -> (String) at(d, "metadata", "name")).toList()));
        String dockerfile = Files.readString(Path.of("docker/Dockerfile.gpu"));
        for (Map<String, Object> d : deployments) {
            List<Map<String, Object>> containers = at(d, "spec", "template", "spec", "containers");
            for (Map<String, Object> c : containers) {
                List<String> command = at(c, "command");
                String jar = command.get(command.indexOf("-jar") + 1);
                assertTrue(dockerfile.contains("COPY --from=build /src/target/camstream.jar " + jar), "the image has " + jar);
                List<String> args = at(c, "args");
                CommandLine root = new CommandLine(new Main());
                assertNotNull(root.getSubcommands().get(args.get(0)), "camstream has a command " + args.get(0));
                // throws for an unknown flag or a value of the wrong type, as the binary would
                CommandLine.ParseResult parsed = root.parseArgs(args.toArray(String[]::new)).subcommand();
                CommandLine.Model.CommandSpec spec = parsed.commandSpec();

                Map<String, Integer> ports = new HashMap<>();
                for (Map<String, Object> p : at(c, "ports") instanceof List<?> l ? (List<Map<String, Object>>) l : List.<Map<String, Object>>of()) {
                    ports.put((String) p.get("name"), (Integer) p.get("containerPort"));
                }
                assertEquals(Integer.valueOf(value(parsed, spec, "--metrics-port")), ports.get("metrics"), "metrics port of " + args.get(0));
                if (args.get(0).equals("serve")) {
                    assertEquals(Integer.valueOf(value(parsed, spec, "--port")), ports.get("camstream"), "protocol port");
                    assertEquals("0.0.0.0", value(parsed, spec, "--host"), "serve listens beyond the pod's loopback");
                } else {
                    assertEquals("0.0.0.0", value(parsed, spec, "--metrics-host"), "the worker's probes are reachable");
                }
                for (String probe : List.of("readinessProbe", "livenessProbe")) {
                    Map<String, Object> get = at(c, probe, "httpGet");
                    assertTrue(ports.containsKey(get.get("port")) || ports.containsValue(get.get("port")), probe + " port is declared");
                    assertEquals("metrics", get.get("port"));
                }
                assertEquals("/health/ready", at(c, "readinessProbe", "httpGet", "path"));
                assertEquals("/health/live", at(c, "livenessProbe", "httpGet", "path"));
                assertEquals(1, (Integer) at(c, "resources", "limits", "nvidia.com/gpu"), "one GPU a pod");
                String config = value(parsed, spec, "--config");
                assertTrue(dockerfile.contains("COPY --from=build /src/demo /app/demo") && config.startsWith("/app/demo/")
                        && Files.isRegularFile(Path.of("demo").resolve(config.substring("/app/demo/".length()))), "the image has " + config);
                Set<String> env = new java.util.HashSet<>();
                if (at(c, "env") instanceof List<?> l) for (Object e : l) env.add((String) at(e, "name"));
                for (String a : args) {
                    Matcher m = Pattern.compile("\\$\\((\\w+)\\)").matcher(a);
                    while (m.find()) assertTrue(env.contains(m.group(1)), "$(" + m.group(1) + ") is defined in the container's env");
                }
            }
        }
    }

    @Test
    void theProbedPathsAreServedByTheHealthListener() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        boolean[] ready = {false};
        try (HealthEndpoint h = HealthEndpoint.start("127.0.0.1", 0, () -> new WorkerMetrics(4).scrape(), () -> ready[0])) {
            String base = "http://127.0.0.1:" + h.port();
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "/health/live")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(503, http.send(HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            ready[0] = true;
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, metrics.statusCode());
            // the autoscaler's metric is one the worker exports
            for (Map<String, Object> hpa : ofKind(documents(), "HorizontalPodAutoscaler")) {
                List<Map<String, Object>> ms = at(hpa, "spec", "metrics");
                for (Map<String, Object> m : ms) {
                    String name = at(m, "pods", "metric", "name");
                    assertTrue(metrics.body().contains("\n" + name + " ") || metrics.body().startsWith(name + " ") || metrics.body().contains("\n" + name + "{"),
                            name + " is exported");
                }
            }
            assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(base + "/nope")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }

    @Test
    void servicesAndTheAutoscalerPointAtWhatExists() throws Exception {
        List<Map<String, Object>> docs = documents();
        Map<String, Map<String, Object>> deployments = new HashMap<>();
        for (Map<String, Object> d : ofKind(docs, "Deployment")) deployments.put(at(d, "metadata", "name"), d);
        for (Map<String, Object> s : ofKind(docs, "Service")) {
            Map<String, Object> selector = at(s, "spec", "selector");
            List<Map<String, Object>> matched = deployments.values().stream()
                    .filter(d -> ((Map<String, Object>) at(d, "spec", "template", "metadata", "labels")).entrySet().containsAll(selector.entrySet())).toList();
            assertEquals(1, matched.size(), "service " + at(s, "metadata", "name") + " selects one deployment");
            List<Map<String, Object>> containers = at(matched.get(0), "spec", "template", "spec", "containers");
            Set<Object> names = new java.util.HashSet<>();
            for (Map<String, Object> c : containers) for (Object p : (List<?>) at(c, "ports")) names.add(at(p, "name"));
            for (Object p : (List<?>) at(s, "spec", "ports")) assertTrue(names.contains(at(p, "targetPort")), "target port " + at(p, "targetPort"));
        }
        for (Map<String, Object> hpa : ofKind(docs, "HorizontalPodAutoscaler")) {
            String target = at(hpa, "spec", "scaleTargetRef", "name");
            assertNotNull(deployments.get(target), "autoscaler target " + target);
            assertNotEquals("camstream-serve", target, "serve scales by hand: its clients shard over a known list");
        }
    }
}
