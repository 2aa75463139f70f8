package io.camstream.server;

import io.camstream.InvalidInputException;
import io.camstream.image.ImagePreprocessor;
import io.camstream.image.Images;
import io.camstream.image.Preprocessing;
import io.camstream.protocol.Floats;
import io.camstream.protocol.Payload;
import io.camstream.protocol.PayloadFormat;
import io.camstream.protocol.ResultForm;
import io.camstream.protocol.Wire;
import io.camstream.tensor.FloatTensor;
import org.bytedeco.opencv.opencv_core.Mat;

import java.util.List;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_RGB2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

/**
 * A request's payload to the model's input tensor, with the server's preprocessing; keeps the frame's pixels
 * only when an overlay will be drawn on them. Runs on the worker threads. Native images never outlive a call.
 */
final class InputDecoder {
    private final Preprocessing preprocessing;
    private final ImagePreprocessor preprocessor;

    InputDecoder(Preprocessing preprocessing) {
        this.preprocessing = preprocessing;
        this.preprocessor = new ImagePreprocessor(preprocessing);
    }

    /** Sets the request's input, output size and (for overlays) frame pixels. */
    void decode(InferenceRequest r) {
        Payload p = r.takePayload();
        boolean keepFrame = r.result.form() == ResultForm.JPEG_OVERLAY;
        switch (p.format()) {
            case FLOAT32 -> {
                r.input = new FloatTensor(Floats.fromBytes(p.bytes()), 1, 3, p.height(), p.width());
                r.frameHeight = p.height();
                r.frameWidth = p.width();
            }
            case RGB8, BGR8 -> {
                boolean rgb = p.format() == PayloadFormat.RGB8;
                if (!preprocessing.centerCrop() && p.height() == preprocessing.height() && p.width() == preprocessing.width() && !keepFrame) {
                    // already at the network size: normalise straight from the bytes
                    float[] chw = new float[3 * p.height() * p.width()];
                    preprocessor.fill(p.bytes(), chw, 0, p.height() * p.width(), !rgb);
                    r.input = new FloatTensor(chw, 1, 3, p.height(), p.width());
                    r.frameHeight = p.height();
                    r.frameWidth = p.width();
                } else {
                    try (Mat bgr = rawToBgr(p, rgb)) {
                        fromImage(r, bgr, keepFrame);
                    }
                }
            }
            case JPEG, PNG -> {
                try (Mat bgr = Images.decode(p.bytes(), "in request " + r.requestId + " (" + p.format() + " payload)")) {
                    fromImage(r, bgr, keepFrame);
                }
            }
        }
        if (r.result.nativeSize()) {
            r.outHeight = r.frameHeight;
            r.outWidth = r.frameWidth;
        } else {
            r.outHeight = r.result.height();
            r.outWidth = r.result.width();
        }
        if (r.outHeight > Wire.MAX_OUTPUT_SIDE || r.outWidth > Wire.MAX_OUTPUT_SIDE) {
            throw new InvalidInputException("the frame is " + r.frameHeight + "x" + r.frameWidth + "; maps at its own size would exceed "
                    + Wire.MAX_OUTPUT_SIDE + " per side: ask for an explicit output size");
        }
        long bound = RequestValidator.resultFrameBound(r.result.form(), RequestValidator.mapCount(r.target), r.outHeight, r.outWidth);
        if (bound > r.connection.clientMaxFrameBytes()) {
            throw new InvalidInputException("a result of " + r.outHeight + "x" + r.outWidth + " " + r.result.form() + " maps could take " + bound
                    + " bytes, more than the " + r.connection.clientMaxFrameBytes() + "-byte frames this client accepts");
        }
    }

    private void fromImage(InferenceRequest r, Mat bgr, boolean keepFrame) {
        r.input = preprocessor.toTensor(List.of(bgr));
        r.frameHeight = bgr.rows();
        r.frameWidth = bgr.cols();
        if (keepFrame) {
            Mat packed = bgr.isContinuous() ? bgr : bgr.clone();
            byte[] pixels = new byte[r.frameHeight * r.frameWidth * 3];
            packed.data().get(pixels);
            if (packed != bgr) packed.close();
            r.bgr = pixels;
        }
    }

    private static Mat rawToBgr(Payload p, boolean rgb) {
        Mat m = new Mat(p.height(), p.width(), CV_8UC3);
        m.data().put(p.bytes());
        if (rgb) cvtColor(m, m, COLOR_RGB2BGR);
        return m;
    }

    /** Packed BGR bytes back into an image (the caller closes it). */
    static Mat bgrMat(byte[] pixels, int height, int width) {
        Mat m = new Mat(height, width, CV_8UC3);
        m.data().put(pixels);
        return m;
    }
}
