package io.camstream.cli;

import io.camstream.InvalidInputException;
import io.camstream.client.ExplainClient;
import io.camstream.client.ClientOptions;
import io.camstream.client.LoadGenerator;
import io.camstream.client.LoadReport;
import io.camstream.protocol.ExplainRequest;
import io.camstream.protocol.HelloOk;
import io.camstream.protocol.Payload;
import io.camstream.protocol.ResultForm;
import io.camstream.protocol.ResultSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;

@Command(name = "load", description = "Load generator: N streams at F fps for T seconds; reports offered and achieved fps, latency percentiles, errors and lost requests.",
        mixinStandardHelpOptions = true, sortOptions = false)
final class LoadCommand implements Callable<Integer> {
    @Mixin
    ClientConnectionOptions connection;

    @Mixin
    RequestOptions request;

    @Option(names = "--streams", paramLabel = "N", defaultValue = "16", description = "Concurrent streams. Default: ${DEFAULT-VALUE}.")
    int streams;

    @Option(names = "--fps", paramLabel = "F", defaultValue = "25", description = "Frames per second per stream. Default: ${DEFAULT-VALUE}.")
    double fps;

    @Option(names = "--seconds", paramLabel = "T", defaultValue = "30", description = "Default: ${DEFAULT-VALUE}.")
    double seconds;

    @Option(names = "--connections", paramLabel = "N", description = "Connections the streams share. Default: one per stream, at most 16.")
    Integer connections;

    @Option(names = "--image", paramLabel = "FILE", description = "Send this JPEG/PNG as every frame (decoded by the server). Default: a synthetic raw RGB frame at the model's input size.")
    Path image;

    @Option(names = "--result", paramLabel = "FORM", defaultValue = "uint8", description = "float32, uint8 or jpeg (overlay). Default: ${DEFAULT-VALUE}.")
    String result;

    @Option(names = "--result-size", paramLabel = "HxW", description = "Size of the returned maps. Default: the model's input size.")
    String resultSize;

    @Option(names = "--drain-seconds", paramLabel = "S", defaultValue = "60",
            description = "After the run, wait at most this long for answers in flight (an overloaded server may have seconds of queue). Default: ${DEFAULT-VALUE}.")
    double drainSeconds;

    @Option(names = "--json", description = "Also print the report as one JSON line.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (!(seconds > 0) || !(drainSeconds >= 0)) throw new InvalidInputException("--seconds must be positive and --drain-seconds not negative");
        List<ClientOptions> options = connection.options("camstream load");
        HelloOk server;
        try (ExplainClient probe = connection.connect("camstream load")) {
            server = probe.server();
        }
        ResultForm form = switch (result) {
            case "float32" -> ResultForm.FLOAT32;
            case "uint8" -> ResultForm.UINT8;
            case "jpeg" -> ResultForm.JPEG_OVERLAY;
            default -> throw new InvalidInputException("--result must be float32, uint8 or jpeg, got " + result);
        };
        request.checkAgainst(server);
        ResultSpec spec = resultSpec(form, server);
        Payload payload = payload(server);
        ExplainRequest template = new ExplainRequest(0, 0, 0, request.method, request.target(), request.deadlineMicros(), request.priority(), spec, payload);
        int conns = connections != null ? connections : Math.min(streams, 16);
        LoadGenerator.Settings settings = new LoadGenerator.Settings(streams, fps, Duration.ofMillis((long) (seconds * 1000)), conns, template,
                Duration.ofMillis((long) (drainSeconds * 1000)));
        System.err.printf(Locale.ROOT, "load: %d streams x %.1f fps for %.1f s on %d connection(s) to %s (%s, %s, %s %dx%d maps, %s frames)%n",
                streams, fps, seconds, conns, connection.server, request.method, template.target(), form, spec.height(), spec.width(),
                payload.format() + (payload.format().isRaw() ? " " + payload.height() + "x" + payload.width() : ""));
        LoadReport report = new LoadGenerator(options, settings).run(System.err);
        System.out.print(report.format());
        if (json) System.out.println(report.toJson());
        long failed = report.errors().values().stream().mapToLong(Long::longValue).sum();
        if (failed == 0 && report.lost() == 0) return 0;
        System.err.printf(Locale.ROOT, "load: %d of %d requests failed and %d got no answer:%n", failed, report.sent(), report.lost());
        report.errors().forEach((type, n) -> System.err.printf(Locale.ROOT, "  %d %s: %s%n", n, type, why(type)));
        return 1;
    }

    /** What an error type in the report means for the run, and what to do about it. */
    static String why(String type) {
        return switch (type) {
            case "NOT_CONNECTED" -> "not sent: there was no usable connection (the server closed it or went away; see the log above)";
            case "CONNECTION_LOST" -> "the connection closed before the answer came";
            case "WINDOW_FULL" -> "not sent: the connection already had the server's maximum in flight (use more --connections)";
            case "OVERLOADED" -> "the server's queue was full: the offered rate is more than it can compute (lower --streams or --fps)";
            case "DEADLINE_EXCEEDED" -> "answered too late for --deadline-ms";
            case "SHUTTING_DOWN" -> "the server was shutting down";
            case "INVALID" -> "the server cannot serve the request (method, target, image or result size)";
            case "UNAUTHENTICATED" -> "the server wants a token (--token-file or CAMSTREAM_TOKEN)";
            default -> "see the server's log";
        };
    }

    private ResultSpec resultSpec(ResultForm form, HelloOk server) {
        if (resultSize == null) return new ResultSpec(form, server.inputHeight(), server.inputWidth());
        String[] hw = resultSize.toLowerCase(Locale.ROOT).split("x");
        try {
            return new ResultSpec(form, Integer.parseInt(hw[0]), Integer.parseInt(hw[1]));
        } catch (RuntimeException e) {
            throw new InvalidInputException("--result-size must be HxW, e.g. 128x128, got " + resultSize);
        }
    }

    private Payload payload(HelloOk server) throws java.io.IOException {
        if (image != null) {
            if (!Files.isRegularFile(image)) throw new InvalidInputException("--image " + image + " is not a file");
            byte[] bytes = Files.readAllBytes(image);
            String name = image.getFileName().toString().toLowerCase(Locale.ROOT);
            return name.endsWith(".png") ? Payload.png(bytes) : Payload.jpeg(bytes);
        }
        // smooth colour gradients plus noise: a frame the model must actually look at, decoded at no cost
        int h = server.inputHeight();
        int w = server.inputWidth();
        byte[] px = new byte[h * w * 3];
        Random rnd = new Random(7);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                px[i] = (byte) (x * 255 / w + rnd.nextInt(16));
                px[i + 1] = (byte) (y * 255 / h + rnd.nextInt(16));
                px[i + 2] = (byte) ((x + y) * 127 / (w + h) + rnd.nextInt(16));
            }
        }
        return Payload.rgb8(h, w, px);
    }
}
