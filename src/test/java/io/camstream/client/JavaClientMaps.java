package io.camstream.client;

import io.camstream.protocol.ExplainRequest;
import io.camstream.protocol.ExplainResult;
import io.camstream.protocol.Payload;
import io.camstream.protocol.ResultForm;
import io.camstream.protocol.ResultSpec;
import io.camstream.protocol.Target;
import io.camstream.tensor.FloatTensor;
import io.camstream.tensor.Npy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The Java client's answers for some frames, written to files: the reference the Python client's tests compare
 * their own answers with (clients/python/tests/test_live.py runs it against the same live server).
 *
 * <p>{@code JavaClientMaps HOST:PORT TOKEN METHOD TARGET RESULT HxW OUTDIR FILE...}: TARGET is {@code top1},
 * {@code topK} or a class index; RESULT {@code float32} or {@code uint8}; each FILE a PNG/JPEG (sent as is) or a
 * {@code .npy} float32 (3, H, W) tensor. Requests go one at a time, so every batch holds one request. For input i
 * it writes {@code i.npy}, float32 (maps, H, W) of the map values in [0, 1], and {@code i.txt}, one line per
 * prediction and then per map: {@code prediction|map classIndex probability label|form}.
 */
public final class JavaClientMaps {
    private JavaClientMaps() {
    }

    public static void main(String[] args) throws Exception {
        io.camstream.natives.NativeLibraries.prepare(false);
        if (args.length < 8) throw new IllegalArgumentException("usage: JavaClientMaps HOST:PORT TOKEN METHOD TARGET RESULT HxW OUTDIR FILE...");
        String[] hw = args[5].split("x");
        ResultForm form = args[4].equals("uint8") ? ResultForm.UINT8 : ResultForm.FLOAT32;
        ResultSpec spec = new ResultSpec(form, Integer.parseInt(hw[0]), Integer.parseInt(hw[1]));
        Target target = Target.parse(args[3]);
        Path out = Files.createDirectories(Path.of(args[6]));
        try (CamstreamClient client = CamstreamClient.connect(ClientOptions.builder(args[0]).token(args[1]).clientName("JavaClientMaps").build())) {
            for (int i = 7; i < args.length; i++) {
                Path file = Path.of(args[i]);
                Payload payload;
                if (file.toString().endsWith(".npy")) {
                    FloatTensor t = Npy.readFloat(file);
                    payload = Payload.float32(t.dim(1), t.dim(2), t.data());
                } else {
                    byte[] bytes = Files.readAllBytes(file);
                    payload = file.toString().toLowerCase(Locale.ROOT).endsWith(".png") ? Payload.png(bytes) : Payload.jpeg(bytes);
                }
                ExplainResult r = client.explain(new ExplainRequest(0, 1, i, args[2], target, 0, 0, spec, payload)).get(60, TimeUnit.SECONDS);
                List<String> lines = new ArrayList<>();
                for (ExplainResult.Prediction p : r.predictions()) lines.add("prediction " + p.classIndex() + " " + p.probability() + " " + p.label());
                int h = r.maps().get(0).height();
                int w = r.maps().get(0).width();
                float[] all = new float[r.maps().size() * h * w];
                for (int m = 0; m < r.maps().size(); m++) {
                    ExplainResult.Heatmap map = r.maps().get(m);
                    lines.add("map " + map.classIndex() + " " + map.probability() + " " + map.form());
                    System.arraycopy(map.values(), 0, all, m * h * w, h * w);
                }
                Npy.write(out.resolve((i - 7) + ".npy"), new FloatTensor(all, r.maps().size(), h, w));
                Files.write(out.resolve((i - 7) + ".txt"), lines);
            }
        }
    }
}
