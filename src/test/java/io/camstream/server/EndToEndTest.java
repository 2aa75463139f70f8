package io.camstream.server;

import io.camstream.Fixtures;
import io.camstream.client.CamstreamClient;
import io.camstream.client.ClientOptions;
import io.camstream.client.RequestFailedException;
import io.camstream.explain.Explainer;
import io.camstream.explain.ExplanationBatch;
import io.camstream.explain.Labels;
import io.camstream.explain.Methods;
import io.camstream.explain.Targets;
import io.camstream.image.ImagePreprocessor;
import io.camstream.image.Images;
import io.camstream.image.OverlayRenderer;
import io.camstream.image.Preprocessing;
import io.camstream.model.ExecutionDevice;
import io.camstream.model.TorchModel;
import io.camstream.protocol.ExplainRequest;
import io.camstream.protocol.ExplainResult;
import io.camstream.protocol.Payload;
import io.camstream.protocol.ResultForm;
import io.camstream.protocol.ResultSpec;
import io.camstream.protocol.Target;
import io.camstream.protocol.Wire;
import io.camstream.tensor.FloatTensor;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo model served over the wire: maps, predictions and overlays equal what the engine computes in-process
 * for the same inputs (requests sent concurrently, so they are computed in shared batches).
 */
class EndToEndTest {
    private static final Path MODEL = Fixtures.DEMO.resolve("model.pt");
    private static final String LAYER = "features.4";
    private static final int SIZE = 128;
    /** Batched and single-input convolutions may sum in different orders: maps agree to float rounding. */
    private static final float TOLERANCE = 1e-4f;

    static TorchModel reference;
    static CamstreamServer server;
    static CamstreamClient client;
    static Preprocessing preprocessing = new Preprocessing(SIZE, SIZE, false, Preprocessing.IMAGENET_MEAN, Preprocessing.IMAGENET_STD);
    static Labels labels = Labels.read(Fixtures.DEMO.resolve("labels.txt"));

    @BeforeAll
    static void start() {
        reference = TorchModel.load(MODEL);
        TorchBackend backend = TorchBackend.load(MODEL, ExecutionDevice.cpu(), LAYER, SIZE, SIZE, labels);
        server = CamstreamServer.start(TestServers.config().maxBatch(8).maxDelayMicros(20_000).build(), backend, preprocessing,
                new OverlayRenderer("jet", 0.5));
        client = TestServers.client(server);
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
        reference.close();
    }

    private static List<Path> images() throws Exception {
        try (var s = Files.list(Fixtures.DEMO.resolve("images"))) {
            return s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
    }

    private static ExplanationBatch inProcess(String method, Targets targets, FloatTensor input, int outH, int outW) {
        return new Explainer(reference, LAYER, Methods.byName(method), labels).explain(input, targets, outH, outW);
    }

    private static ExplainRequest request(long frame, String method, Target target, ResultSpec out, Payload payload) {
        return new ExplainRequest(0, 7, frame, method, target, 0, 0, out, payload);
    }

    @Test
    void mapsAndPredictionsOverTheWireEqualTheEngine() throws Exception {
        List<Path> files = images();
        assertTrue(files.size() >= 3, "demo images");
        ImagePreprocessor pre = new ImagePreprocessor(preprocessing);
        record Case(ExplainRequest request, String method, Targets targets, FloatTensor input, int outH, int outW) {
        }
        List<Case> cases = new ArrayList<>();
        String[] methods = {"gradcam", "gradcam++"};
        for (int i = 0; i < files.size(); i++) {
            byte[] png = Files.readAllBytes(files.get(i));
            FloatTensor input;
            int frameH;
            int frameW;
            byte[] rgb;
            try (Mat bgr = Images.decode(png, files.get(i).toString())) {
                input = pre.toTensor(List.of(bgr));
                frameH = bgr.rows();
                frameW = bgr.cols();
                rgb = rgbBytes(bgr);
            }
            String method = methods[i % 2];
            // PNG at the frame's own size, top-1
            cases.add(new Case(request(cases.size(), method, Target.top1(), ResultSpec.of(ResultForm.FLOAT32), Payload.png(png)),
                    method, Targets.top1(), input, frameH, frameW));
            // raw RGB, top-2 at the model's size
            cases.add(new Case(request(cases.size(), method, Target.topK(2), new ResultSpec(ResultForm.FLOAT32, SIZE, SIZE), Payload.rgb8(frameH, frameW, rgb)),
                    method, new Targets.TopK(2), input, SIZE, SIZE));
            // the preprocessed tensor itself, a given class, another size
            cases.add(new Case(request(cases.size(), method, Target.classIndex(i % 5), new ResultSpec(ResultForm.FLOAT32, 40, 60),
                    Payload.float32(SIZE, SIZE, input.data())), method, new Targets.Classes(new int[]{i % 5}), input, 40, 60));
            // protocol version 2: why class i%5 rather than class (i+2)%5, the engine's contrast score
            int a = i % 5;
            int b = (i + 2) % 5;
            cases.add(new Case(request(cases.size(), method, Target.contrast(a, b), new ResultSpec(ResultForm.FLOAT32, 32, 32), Payload.png(png)),
                    method, new Targets.Scores(List.of(io.camstream.explain.Target.contrast(a, b, io.camstream.explain.Target.Score.LOGIT))),
                    input, 32, 32));
        }
        List<CompletableFuture<ExplainResult>> sent = new ArrayList<>();
        for (Case c : cases) sent.add(client.explain(c.request()));
        int batched = 0;
        for (int k = 0; k < cases.size(); k++) {
            Case c = cases.get(k);
            ExplainResult r = sent.get(k).get(60, TimeUnit.SECONDS);
            if (r.batchSize() > 1) batched++;
            ExplanationBatch want = inProcess(c.method(), c.targets(), c.input(), c.outH(), c.outW());
            assertEquals(want.size(), r.maps().size(), "maps of case " + k);
            for (int m = 0; m < want.size(); m++) {
                ExplainResult.Heatmap got = r.maps().get(m);
                assertEquals(want.targetClass()[m], got.classIndex(), "class of map " + m + " of case " + k);
                assertEquals(want.targetProbability()[m], got.probability(), 1e-5, "probability of map " + m + " of case " + k);
                assertEquals(c.outH(), got.height());
                assertEquals(c.outW(), got.width());
                float[] expected = want.heatmaps().rows(m, m + 1).data();
                float[] actual = got.values();
                for (int p = 0; p < expected.length; p++) {
                    assertEquals(expected[p], actual[p], TOLERANCE, "pixel " + p + " of map " + m + " of case " + k);
                }
            }
            var preds = want.predictions().get(0);
            assertEquals(preds.size(), r.predictions().size());
            for (int p = 0; p < preds.size(); p++) {
                assertEquals(preds.get(p).index(), r.predictions().get(p).classIndex());
                assertEquals(preds.get(p).label(), r.predictions().get(p).label());
                assertEquals(preds.get(p).probability(), r.predictions().get(p).probability(), 1e-5);
            }
        }
        assertTrue(batched > 0, "requests sent together were computed in shared batches");
    }

    @Test
    void aVersionOneClientIsServedAndTheClientRefusesAContrastItsVersionLacks() throws Exception {
        byte[] png = Files.readAllBytes(images().get(1));
        assertEquals(Wire.VERSION, client.server().version(), "a client of this version agrees on the newest");
        try (CamstreamClient old = CamstreamClient.connect(ClientOptions.builder("127.0.0.1", server.port()).maxVersion(1)
                .reconnect(Duration.ofMillis(50), Duration.ofMillis(500), 0).build())) {
            assertEquals(1, old.server().version());
            ExplainResult r = old.explain(request(1, "gradcam", Target.classIndex(2), new ResultSpec(ResultForm.FLOAT32, 16, 16), Payload.png(png)))
                    .get(60, TimeUnit.SECONDS);
            ExplainResult same = client.explain(request(1, "gradcam", Target.classIndex(2), new ResultSpec(ResultForm.FLOAT32, 16, 16), Payload.png(png)))
                    .get(60, TimeUnit.SECONDS);
            assertArrayEquals(same.maps().get(0).values(), r.maps().get(0).values(), 1e-5f, "a version-1 connection gets the same maps");
            ExecutionException e = assertThrows(ExecutionException.class, () -> old.explain(request(2, "gradcam", Target.contrast(2, 0),
                    ResultSpec.of(ResultForm.FLOAT32), Payload.png(png))).get(60, TimeUnit.SECONDS));
            RequestFailedException f = assertInstanceOf(RequestFailedException.class, e.getCause());
            assertEquals(RequestFailedException.LocalReason.VERSION_TOO_OLD, f.localReason(), f.getMessage());
            assertFalse(f.retryable(), "the same server will not learn a newer version");
        }
    }

    @Test
    void uint8MapsAreTheRoundedFloatMaps() throws Exception {
        byte[] png = Files.readAllBytes(images().get(0));
        ExplainResult f = client.explain(request(1, "gradcam", Target.top1(), new ResultSpec(ResultForm.FLOAT32, 64, 64), Payload.png(png))).get(60, TimeUnit.SECONDS);
        ExplainResult u = client.explain(request(2, "gradcam", Target.top1(), new ResultSpec(ResultForm.UINT8, 64, 64), Payload.png(png))).get(60, TimeUnit.SECONDS);
        float[] values = f.maps().get(0).values();
        byte[] bytes = u.maps().get(0).data();
        for (int i = 0; i < values.length; i++) assertEquals(Math.round(values[i] * 255), bytes[i] & 0xff, 1, "pixel " + i);
    }

    @Test
    void jpegOverlaysMatchTheInProcessRendering() throws Exception {
        Path file = images().get(1);
        byte[] png = Files.readAllBytes(file);
        ExplainResult r = client.explain(request(3, "gradcam", Target.top1(), ResultSpec.of(ResultForm.JPEG_OVERLAY), Payload.png(png))).get(60, TimeUnit.SECONDS);
        ExplainResult.Heatmap h = r.maps().get(0);
        try (Mat frame = Images.decode(png, "frame"); Mat got = Images.decode(h.data(), "overlay")) {
            assertEquals(frame.rows(), got.rows());
            assertEquals(frame.cols(), got.cols());
            assertEquals(frame.rows(), h.height());
            FloatTensor input = new ImagePreprocessor(preprocessing).toTensor(List.of(frame));
            ExplanationBatch want = inProcess("gradcam", Targets.top1(), input, SIZE, SIZE);
            // the same overlay through the same JPEG encoder at the server's quality: equal up to a colour-map step
            // where a map value sits on a rounding boundary
            try (Mat rendered = new OverlayRenderer("jet", 0.5).overlay(frame, preprocessing.regionIn(frame.cols(), frame.rows()),
                    want.heatmaps().data(), 0, SIZE, SIZE);
                 BytePointer buf = new BytePointer();
                 IntPointer quality = new IntPointer(IMWRITE_JPEG_QUALITY, ServerConfig.builder().build().jpegQuality)) {
                assertTrue(imencode(".jpg", rendered, buf, quality));
                byte[] jpeg = new byte[(int) buf.limit()];
                buf.get(jpeg);
                try (Mat expected = Images.decode(jpeg, "expected")) {
                    byte[] a = rgbBytes(expected);
                    byte[] b = rgbBytes(got);
                    double diff = 0;
                    for (int i = 0; i < a.length; i++) diff += Math.abs((a[i] & 0xff) - (b[i] & 0xff));
                    assertTrue(diff / a.length < 0.05, "mean absolute difference " + diff / a.length);
                }
            }
        }
    }

    @Test
    void jpegPayloadsAreDecodedLikeFiles() throws Exception {
        byte[] png = Files.readAllBytes(images().get(2));
        byte[] jpeg;
        FloatTensor input;
        try (Mat bgr = Images.decode(png, "frame"); BytePointer buf = new BytePointer()) {
            assertTrue(imencode(".jpg", bgr, buf));
            jpeg = new byte[(int) buf.limit()];
            buf.get(jpeg);
        }
        try (Mat decoded = Images.decode(jpeg, "jpeg")) {
            input = new ImagePreprocessor(preprocessing).toTensor(List.of(decoded));
        }
        ExplainResult r = client.explain(request(4, "gradcam", Target.top1(), new ResultSpec(ResultForm.FLOAT32, SIZE, SIZE), Payload.jpeg(jpeg)))
                .get(60, TimeUnit.SECONDS);
        float[] want = inProcess("gradcam", Targets.top1(), input, SIZE, SIZE).heatmaps().data();
        float[] got = r.maps().get(0).values();
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], TOLERANCE, "pixel " + i);
    }

    /** Packed RGB bytes of a BGR image. */
    private static byte[] rgbBytes(Mat bgr) {
        Mat packed = bgr.isContinuous() ? bgr : bgr.clone();
        byte[] px = new byte[bgr.rows() * bgr.cols() * 3];
        packed.data().get(px);
        for (int i = 0; i < px.length; i += 3) {
            byte b = px[i];
            px[i] = px[i + 2];
            px[i + 2] = b;
        }
        return px;
    }
}
