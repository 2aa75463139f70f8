package io.camstream.server;

import io.camstream.InvalidInputException;
import io.camstream.explain.ExplanationBatch;
import io.camstream.explain.Prediction;
import io.camstream.image.OverlayRenderer;
import io.camstream.image.Preprocessing;
import io.camstream.postprocess.CamPostprocessor;
import io.camstream.protocol.ExplainResult;
import io.camstream.protocol.Floats;
import io.camstream.protocol.MessageCodec;
import io.camstream.protocol.ResultForm;
import io.camstream.tensor.FloatTensor;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/**
 * One request's share of a computed batch, in the form it asked for. Runs on the worker threads so that the
 * model's thread can start the next batch at once.
 *
 * <p>The batch holds heatmaps at the model's input size. A request wanting another size gets its maps from the
 * batch's cams through the same post-processing the engine uses (ReLU is idempotent, so re-processing cams equals
 * processing the raw maps at that size): the bytes are those an in-process {@code explain(..., outH, outW)} gives.
 */
final class ResultAssembler {
    private final Preprocessing preprocessing;
    private final OverlayRenderer overlays;
    private final int jpegQuality;

    ResultAssembler(Preprocessing preprocessing, OverlayRenderer overlays, int jpegQuality) {
        this.preprocessing = preprocessing;
        this.overlays = overlays;
        this.jpegQuality = jpegQuality;
    }

    /**
     * @param input this request's index in the batch
     */
    ExplainResult assemble(InferenceRequest r, ExplanationBatch b, int input, long queueMicros, long computeMicros, int batchSize) {
        List<ExplainResult.Prediction> predictions = new ArrayList<>();
        for (Prediction p : b.predictions().get(input)) predictions.add(new ExplainResult.Prediction(p.index(), (float) p.probability(), p.label()));
        List<ExplainResult.Heatmap> maps = new ArrayList<>();
        FloatTensor heat = b.heatmaps();
        int inH = heat.dim(1);
        int inW = heat.dim(2);
        for (int m = 0; m < b.size(); m++) {
            if (b.inputIndex()[m] != input) continue;
            byte[] data;
            if (r.result.form() == ResultForm.JPEG_OVERLAY) {
                data = overlayJpeg(r, heat.data(), m * inH * inW, inH, inW);
            } else {
                float[] values = r.outHeight == inH && r.outWidth == inW
                        ? Arrays.copyOfRange(heat.data(), m * inH * inW, (m + 1) * inH * inW)
                        : resized(b.cams(), m, r.outHeight, r.outWidth);
                data = r.result.form() == ResultForm.FLOAT32 ? Floats.toBytes(values) : toUint8(values);
            }
            maps.add(new ExplainResult.Heatmap(b.targetClass()[m], (float) b.targetProbability()[m], r.result.form(), r.outHeight, r.outWidth, data));
        }
        ExplainResult result = new ExplainResult(r.requestId, r.streamId, r.frameNumber, clampU32(queueMicros), clampU32(computeMicros), batchSize,
                predictions, maps);
        long bytes = MessageCodec.resultFrameBytes(result);
        if (bytes > r.connection.maxResultBytes()) {
            throw new InvalidInputException("the result frame takes " + bytes + " bytes, more than the " + r.connection.maxResultBytes()
                    + " bytes a result to this client may take (its frame limit, or the server's per-connection result buffer); ask for a smaller output size");
        }
        return result;
    }

    private static float[] resized(FloatTensor cams, int m, int outH, int outW) {
        FloatTensor one = cams.rows(m, m + 1);
        return CamPostprocessor.cpu().process(one, outH, outW, true).heatmaps().data();
    }

    static byte[] toUint8(float[] values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) out[i] = (byte) Math.round(Math.max(0f, Math.min(1f, values[i])) * 255f);
        return out;
    }

    /** The frame at the output size with the heatmap blended over the region the network saw, as JPEG. */
    private byte[] overlayJpeg(InferenceRequest r, float[] heat, int offset, int mapH, int mapW) {
        try (Mat frame = InputDecoder.bgrMat(r.bgr, r.frameHeight, r.frameWidth); Mat sized = new Mat()) {
            Mat base = frame;
            if (r.outHeight != r.frameHeight || r.outWidth != r.frameWidth) {
                resize(frame, sized, new Size(r.outWidth, r.outHeight), 0, 0, INTER_LINEAR);
                base = sized;
            }
            try (Mat overlay = overlays.overlay(base, preprocessing.regionIn(r.outWidth, r.outHeight), heat, offset, mapH, mapW);
                 BytePointer jpeg = new BytePointer();
                 IntPointer params = new IntPointer(IMWRITE_JPEG_QUALITY, jpegQuality)) {
                if (!imencode(".jpg", overlay, jpeg, params)) throw new IllegalStateException("OpenCV could not encode the overlay as JPEG");
                byte[] out = new byte[(int) jpeg.limit()];
                jpeg.get(out);
                return out;
            }
        }
    }

    private static long clampU32(long v) {
        return Math.max(0, Math.min(v, 0xFFFF_FFFFL));
    }
}
