package io.camstream.cli;

import io.camstream.InvalidInputException;
import io.camstream.client.ClientOptions;
import io.camstream.client.ExplainClient;
import io.camstream.client.RequestFailedException;
import io.camstream.image.OverlayRenderer;
import io.camstream.image.Preprocessing;
import io.camstream.protocol.ExplainRequest;
import io.camstream.protocol.ExplainResult;
import io.camstream.protocol.HelloOk;
import io.camstream.protocol.Payload;
import io.camstream.protocol.ResultForm;
import io.camstream.protocol.ResultSpec;
import io.camstream.tensor.FloatTensor;
import io.camstream.tensor.Npy;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Deque;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.concurrent.TimeoutException;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.FONT_HERSHEY_SIMPLEX;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.putText;

@Command(name = "stream", description = "Send a video's frames (file, URL or camera index) to a server and write the heatmap overlay video.",
        mixinStandardHelpOptions = true, sortOptions = false)
final class StreamCommand implements Callable<Integer> {
    private static final int MAX_ATTEMPTS = 5;

    @Mixin
    ClientConnectionOptions connection;

    @Mixin
    RequestOptions request;

    @Option(names = "--input", required = true, paramLabel = "VIDEO", description = "Video file, stream URL (rtsp://, http://), or camera index (0).")
    String input;

    @Option(names = "--output", paramLabel = "FILE", description = "Overlay video: .mp4/.mkv (H.264, libopenh264) or .avi (Motion JPEG).")
    Path output;

    @Option(names = "--npy-dir", paramLabel = "DIR", description = "Also write each frame's float32 maps as DIR/frame_NNNNNN.npy (K x H x W at the model's input size).")
    Path npyDir;

    @Option(names = "--depth", paramLabel = "N", defaultValue = "8", description = "Frames in flight at once. Default: ${DEFAULT-VALUE}.")
    int depth;

    @Option(names = "--send", paramLabel = "FORM", defaultValue = "jpeg", description = "How frames travel: jpeg (quality 90) or raw (BGR bytes). Default: ${DEFAULT-VALUE}.")
    String send;

    @Option(names = "--stream-id", paramLabel = "ID", defaultValue = "0",
            description = "This camera's stream id; with several --server, it picks the server. Default: ${DEFAULT-VALUE}.")
    long streamId;

    @Option(names = "--max-frames", paramLabel = "N", description = "Stop after N frames.")
    Integer maxFrames;

    @Option(names = "--colormap", paramLabel = "NAME", defaultValue = "jet", description = "Default: ${DEFAULT-VALUE}.")
    String colormap;

    @Option(names = "--alpha", paramLabel = "A", defaultValue = "0.5", description = "Overlay opacity. Default: ${DEFAULT-VALUE}.")
    double alpha;

    @Option(names = "--on-server-loss", paramLabel = "WHAT", defaultValue = "fail",
            description = "When the server goes away and is not back within --reconnect-seconds: fail (stop, keeping what was written) "
                    + "or continue (write the frames without heatmaps, resuming heatmaps if the server comes back). Default: ${DEFAULT-VALUE}.")
    String onServerLoss;

    @Option(names = "--reconnect-seconds", paramLabel = "S", defaultValue = "10",
            description = "How long to wait for a lost server to come back before --on-server-loss applies. Default: ${DEFAULT-VALUE}.")
    double reconnectSeconds;

    /** A frame sent and not yet written. */
    private static final class InFlight {
        final long number;
        final Mat frame;
        final ExplainRequest request;
        CompletableFuture<ExplainResult> answer;

        InFlight(long number, Mat frame, ExplainRequest request, CompletableFuture<ExplainResult> answer) {
            this.number = number;
            this.frame = frame;
            this.request = request;
            this.answer = answer;
        }
    }

    private int written;
    private int failed;
    /** Set by the shutdown hook (Ctrl-C, SIGTERM): stop reading frames, finish what is in flight, close the outputs. */
    private volatile boolean stopRequested;
    /** When the connection was found lost (System.nanoTime), or 0 while connected. */
    private long lostSince;
    private boolean toldPassThrough;

    @Override
    public Integer call() throws Exception {
        if (output == null && npyDir == null) throw new InvalidInputException("nothing to write: give --output and/or --npy-dir");
        if (depth < 1) throw new InvalidInputException("--depth must be at least 1");
        if (maxFrames != null && maxFrames < 1) throw new InvalidInputException("--max-frames must be at least 1, got " + maxFrames);
        if (!send.equals("jpeg") && !send.equals("raw")) throw new InvalidInputException("--send must be jpeg or raw, got " + send);
        if (!onServerLoss.equals("fail") && !onServerLoss.equals("continue")) {
            throw new InvalidInputException("--on-server-loss must be fail or continue, got " + onServerLoss);
        }
        if (!(reconnectSeconds >= 0)) throw new InvalidInputException("--reconnect-seconds must not be negative");
        if (streamId < 0 || streamId > 0xFFFF_FFFFL) throw new InvalidInputException("--stream-id must be in 0..4294967295");
        if (output != null) OverlayVideoWriter.checkName(output);
        if (npyDir != null) OutputPaths.requireFolder(npyDir, "--npy-dir");
        OverlayRenderer renderer = new OverlayRenderer(colormap, alpha);
        // keep reconnecting in the background for as long as this command may wait; `continue` never gives up
        int attempts = onServerLoss.equals("continue") ? Integer.MAX_VALUE : Math.max(1, (int) Math.ceil(reconnectSeconds * 2));
        java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stopRequested = true;
            try {
                // the JVM halts when the hook returns: wait for the video's trailer to be written
                closed.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                // halting anyway
            }
        }, "camstream-stream-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        UnaryOperator<ClientOptions.Builder> reconnect = b -> b.reconnect(Duration.ofMillis(100), Duration.ofMillis(500), attempts);
        try (ExplainClient client = connection.connect("camstream stream", reconnect);
             VideoSource source = VideoSource.open(input)) {
            HelloOk server = client.server();
            request.checkAgainst(server);
            int inFlightMax = (int) Math.min(depth, server.maxInFlight());
            int mapsPerFrame = request.mapsPerRequest();
            ResultSpec spec = new ResultSpec(npyDir != null ? ResultForm.FLOAT32 : ResultForm.UINT8, server.inputHeight(), server.inputWidth());
            int total = source.length();
            if (maxFrames != null) total = total < 0 ? maxFrames : Math.min(total, maxFrames);
            ProgressBar progress = new ProgressBar(System.err, total);
            Deque<InFlight> pending = new ArrayDeque<>();
            OverlayVideoWriter writer = null;
            try {
                long n = 0;
                for (Mat frame = nextFrame(source); frame != null; frame = nextFrame(source), n++) {
                    if (writer == null && output != null) writer = OverlayVideoWriter.open(output, frame.cols() * mapsPerFrame, frame.rows(), source.fps());
                    ExplainRequest req = new ExplainRequest(0, streamId, n, request.method, request.target(), request.deadlineMicros(), request.priority(), spec,
                            payload(frame));
                    pending.add(new InFlight(n, frame, req, client.explain(req)));
                    if (pending.size() >= inFlightMax) finish(pending.poll(), client, renderer, writer, progress, mapsPerFrame);
                    if (maxFrames != null && n + 1 >= maxFrames) break;
                }
                while (!pending.isEmpty()) finish(pending.poll(), client, renderer, writer, progress, mapsPerFrame);
            } finally {
                for (InFlight p : pending) p.frame.close();
                if (writer != null) writer.close();
                closed.countDown();
            }
            progress.finish(written, failed);
            if (written == 0 && !stopRequested) throw new InvalidInputException("no video frames could be read from " + input);
            System.out.printf(Locale.ROOT, "streamed %d frame(s) (%d without a heatmap)%s%s%s%n", written, failed,
                    stopRequested ? ", stopped early" : "", output != null ? "; wrote " + output : "", npyDir != null ? "; maps in " + npyDir : "");
        } finally {
            closed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it was what stopped us
            }
        }
        return failed == 0 ? 0 : 1;
    }

    /** The next frame, or null at the end of the source or once a stop was asked for. */
    private Mat nextFrame(VideoSource source) {
        if (stopRequested) return null;
        return source.next();
    }

    private Payload payload(Mat bgr) {
        if (send.equals("raw")) {
            byte[] px = new byte[bgr.rows() * bgr.cols() * 3];
            bgr.data().get(px);
            return Payload.bgr8(bgr.rows(), bgr.cols(), px);
        }
        try (BytePointer buf = new BytePointer(); IntPointer params = new IntPointer(IMWRITE_JPEG_QUALITY, 90)) {
            if (!imencode(".jpg", bgr, buf, params)) throw new InvalidInputException("cannot JPEG-encode a video frame");
            byte[] jpeg = new byte[(int) buf.limit()];
            buf.get(jpeg);
            return Payload.jpeg(jpeg);
        }
    }

    /** Waits for the oldest frame's answer (retrying what may be retried), then writes it, overlaid if it has a map. */
    private void finish(InFlight p, ExplainClient client, OverlayRenderer renderer, OverlayVideoWriter writer, ProgressBar progress,
                        int mapsPerFrame) throws Exception {
        try {
            ExplainResult r = await(p, client);
            if (r == null) {
                failed++;
                if (writer != null) {
                    try (Mat plain = tiled(p.frame, mapsPerFrame)) {
                        writer.write(plain);
                    }
                }
            } else {
                if (writer != null) {
                    try (Mat overlay = render(renderer, p.frame, r, mapsPerFrame)) {
                        writer.write(overlay);
                    }
                }
                if (npyDir != null) writeNpy(p.number, r);
            }
            written++;
            progress.update(written, failed);
        } finally {
            p.frame.close();
        }
    }

    private ExplainResult await(InFlight p, ExplainClient client) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                ExplainResult r = p.answer.get(60, TimeUnit.SECONDS);
                lostSince = 0;
                return r;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RequestFailedException f && (f.localReason() == RequestFailedException.LocalReason.NOT_CONNECTED
                        || f.localReason() == RequestFailedException.LocalReason.CONNECTION_LOST)) {
                    if (!waitForServer(client)) return null;
                    p.answer = client.explain(p.request);
                    continue;
                }
                if (e.getCause() instanceof RequestFailedException f && f.retryable() && attempt < MAX_ATTEMPTS) {
                    Thread.sleep(50L << attempt);
                    p.answer = client.explain(p.request);
                    continue;
                }
                if (failed == 0) System.err.println("\ncamstream: frame " + p.number + " got no heatmap: " + e.getCause().getMessage());
                return null;
            } catch (TimeoutException e) {
                if (failed == 0) System.err.println("\ncamstream: frame " + p.number + " got no answer within 60 s");
                return null;
            }
        }
    }

    /**
     * The connection is gone: wait (once per outage, at most --reconnect-seconds in all) for the client's background
     * reconnect. True when connected again; false to write this frame without a heatmap (--on-server-loss continue);
     * throws for --on-server-loss fail.
     */
    private boolean waitForServer(ExplainClient client) throws InterruptedException {
        if (client.isConnected()) return true;
        if (lostSince == 0) lostSince = System.nanoTime();
        long left = (long) (reconnectSeconds * 1e9) - (System.nanoTime() - lostSince);
        if (left > 0 && client.awaitConnected(Duration.ofNanos(left))) {
            lostSince = 0;
            toldPassThrough = false;
            return true;
        }
        String what = String.format(Locale.ROOT, "lost the server at %s: it did not come back within %.1f s (--reconnect-seconds)",
                connection.server, reconnectSeconds);
        if (onServerLoss.equals("fail")) {
            throw new io.camstream.CamstreamException(what + "; stopped after " + written + " frame(s), all kept"
                    + (output != null ? " in " + output : "") + " (--on-server-loss continue writes the rest without heatmaps)");
        }
        if (!toldPassThrough) {
            System.err.println("\ncamstream: " + what + "; writing frames without heatmaps until it is back");
            toldPassThrough = true;
        }
        return false;
    }

    /** The frame with each map blended over a copy of it, side by side (rank 1 on the left), each titled with its class. */
    private static Mat render(OverlayRenderer renderer, Mat frame, ExplainResult r, int tiles) {
        List<Mat> parts = new ArrayList<>();
        try {
            for (int i = 0; i < tiles; i++) {
                if (i >= r.maps().size()) {
                    parts.add(frame.clone());
                    continue;
                }
                ExplainResult.Heatmap h = r.maps().get(i);
                Mat out = renderer.overlay(frame, new Preprocessing.Region(0, 0, frame.cols(), frame.rows()), h.values(), 0, h.height(), h.width());
                double scale = Math.max(0.4, frame.rows() / 480.0);
                String title = String.format(Locale.ROOT, "%s%s %.2f", tiles > 1 ? "#" + (i + 1) + " " : "", labelOf(r, h), h.probability());
                putText(out, title, new Point(8, (int) (24 * scale)), FONT_HERSHEY_SIMPLEX, 0.7 * scale, new Scalar(255, 255, 255, 0),
                        Math.max(1, (int) (2 * scale)), LINE_AA, false);
                parts.add(out);
            }
            return hconcat(parts);
        } finally {
            if (parts.size() > 1) parts.forEach(Mat::close);
        }
    }

    private static String labelOf(ExplainResult r, ExplainResult.Heatmap h) {
        for (ExplainResult.Prediction p : r.predictions()) if (p.classIndex() == h.classIndex()) return p.label();
        return "class " + h.classIndex();
    }

    /** The frame repeated {@code tiles} times side by side, so frames without heatmaps keep the video's width. */
    private static Mat tiled(Mat frame, int tiles) {
        List<Mat> parts = new ArrayList<>();
        for (int i = 0; i < tiles; i++) parts.add(frame);
        return tiles == 1 ? frame.clone() : hconcat(parts);
    }

    private static Mat hconcat(List<Mat> parts) {
        if (parts.size() == 1) return parts.get(0);
        Mat out = new Mat();
        try (org.bytedeco.opencv.opencv_core.MatVector v = new org.bytedeco.opencv.opencv_core.MatVector(parts.toArray(new Mat[0]))) {
            org.bytedeco.opencv.global.opencv_core.hconcat(v, out);
        }
        return out;
    }

    private void writeNpy(long frame, ExplainResult r) throws java.io.IOException {
        int k = r.maps().size();
        ExplainResult.Heatmap first = r.maps().get(0);
        float[] all = new float[k * first.height() * first.width()];
        for (int i = 0; i < k; i++) {
            float[] v = r.maps().get(i).values();
            System.arraycopy(v, 0, all, i * v.length, v.length);
        }
        Npy.write(npyDir.resolve(String.format(Locale.ROOT, "frame_%06d.npy", frame)), new FloatTensor(all, k, first.height(), first.width()));
    }
}
