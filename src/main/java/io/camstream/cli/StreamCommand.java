package io.camstream.cli;

import io.camstream.InvalidInputException;
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
import java.util.Deque;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
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

    @Override
    public Integer call() throws Exception {
        if (output == null && npyDir == null) throw new InvalidInputException("nothing to write: give --output and/or --npy-dir");
        if (depth < 1) throw new InvalidInputException("--depth must be at least 1");
        if (!send.equals("jpeg") && !send.equals("raw")) throw new InvalidInputException("--send must be jpeg or raw, got " + send);
        if (npyDir != null) Files.createDirectories(npyDir);
        OverlayRenderer renderer = new OverlayRenderer(colormap, alpha);
        if (streamId < 0 || streamId > 0xFFFF_FFFFL) throw new InvalidInputException("--stream-id must be in 0..4294967295");
        try (ExplainClient client = connection.connect("camstream stream");
             VideoSource source = VideoSource.open(input)) {
            HelloOk server = client.server();
            int inFlightMax = (int) Math.min(depth, server.maxInFlight());
            ResultSpec spec = new ResultSpec(npyDir != null ? ResultForm.FLOAT32 : ResultForm.UINT8, server.inputHeight(), server.inputWidth());
            int total = source.length();
            if (maxFrames != null) total = total < 0 ? maxFrames : Math.min(total, maxFrames);
            ProgressBar progress = new ProgressBar(System.err, total);
            Deque<InFlight> pending = new ArrayDeque<>();
            OverlayVideoWriter writer = null;
            try {
                long n = 0;
                for (Mat frame = source.next(); frame != null && (maxFrames == null || n < maxFrames); frame = source.next(), n++) {
                    if (writer == null && output != null) writer = OverlayVideoWriter.open(output, frame.cols(), frame.rows(), source.fps());
                    ExplainRequest req = new ExplainRequest(0, streamId, n, request.method, request.target(), request.deadlineMicros(), request.priority(), spec,
                            payload(frame));
                    pending.add(new InFlight(n, frame, req, client.explain(req)));
                    if (pending.size() >= inFlightMax) finish(pending.poll(), client, renderer, writer, progress);
                }
                while (!pending.isEmpty()) finish(pending.poll(), client, renderer, writer, progress);
            } finally {
                for (InFlight p : pending) p.frame.close();
                if (writer != null) writer.close();
            }
            progress.finish(written, failed);
            System.out.printf(Locale.ROOT, "streamed %d frame(s) (%d without a heatmap)%s%s%n", written, failed,
                    output != null ? "; wrote " + output : "", npyDir != null ? "; maps in " + npyDir : "");
        }
        return failed == 0 ? 0 : 1;
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
    private void finish(InFlight p, ExplainClient client, OverlayRenderer renderer, OverlayVideoWriter writer, ProgressBar progress) throws Exception {
        ExplainResult r = await(p, client);
        try {
            if (r == null) {
                failed++;
                if (writer != null) writer.write(p.frame);
            } else {
                if (writer != null) {
                    try (Mat overlay = render(renderer, p.frame, r)) {
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
                return p.answer.get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RequestFailedException f && f.retryable() && attempt < MAX_ATTEMPTS) {
                    Thread.sleep(50L << attempt);
                    client.awaitConnected(Duration.ofSeconds(5));
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

    /** The frame with the first map blended over it and the top prediction written in the corner. */
    private static Mat render(OverlayRenderer renderer, Mat frame, ExplainResult r) {
        ExplainResult.Heatmap h = r.maps().get(0);
        Mat out = renderer.overlay(frame, new Preprocessing.Region(0, 0, frame.cols(), frame.rows()), h.values(), 0, h.height(), h.width());
        if (!r.predictions().isEmpty()) {
            ExplainResult.Prediction top = r.predictions().get(0);
            double scale = Math.max(0.4, frame.rows() / 480.0);
            putText(out, String.format(Locale.ROOT, "%s %.2f", top.label(), top.probability()), new Point(8, (int) (24 * scale)),
                    FONT_HERSHEY_SIMPLEX, 0.7 * scale, new Scalar(255, 255, 255, 0), Math.max(1, (int) (2 * scale)), LINE_AA, false);
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
