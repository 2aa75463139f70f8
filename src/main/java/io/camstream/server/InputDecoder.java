package io.camstream.server;

import io.camstream.InvalidInputException;
import io.camstream.image.ImageHeader;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

/**
 * A request's payload to the model's input tensor, with the server's preprocessing; keeps the frame's pixels
 * only when an overlay will be drawn on them. Runs on the worker threads. Native images never outlive a call.
 */
final class InputDecoder {
    /** OpenCV's decoded BGR image plus our packed copy of it (the codecs themselves work row by row). */
    static final int DECODE_BYTES_PER_PIXEL = 6;
    private static final Logger log = LoggerFactory.getLogger(InputDecoder.class);

    private final Preprocessing preprocessing;
    private final ImagePreprocessor preprocessor;
    private final long maxImagePixels;
    private final DecodeBudget budget;

    InputDecoder(Preprocessing preprocessing, long maxImagePixels, DecodeBudget budget) {
        this.preprocessing = preprocessing;
        this.preprocessor = new ImagePreprocessor(preprocessing);
        this.maxImagePixels = maxImagePixels;
        this.budget = budget;
    }

    /** Sets the request's input, output size and (for overlays) frame pixels. */
    void decode(InferenceRequest r) {
        Payload p = r.takePayload();
        boolean keepFrame = r.result.form() == ResultForm.JPEG_OVERLAY;
        switch (p.format()) {
            case FLOAT32 -> {
                float[] values = Floats.fromBytes(p.bytes());
                requireFinite(values, p.height(), p.width());
                r.input = new FloatTensor(values, 1, 3, p.height(), p.width());
                r.frameHeight = p.height();
                r.frameWidth = p.width();
            }
            case RGB8, BGR8 -> {
                boolean bgr = p.format() == PayloadFormat.BGR8;
                fromPixels(r, p.bytes(), p.height(), p.width(), bgr);
                if (keepFrame) r.bgr = bgr ? p.bytes() : swapRedAndBlue(p.bytes());
            }
            case JPEG, PNG -> {
                byte[] pixels = decodeImage(r, p);
                fromPixels(r, pixels, r.frameHeight, r.frameWidth, true);
                if (keepFrame) r.bgr = pixels;
                else r.releaseDecodeBytes();
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
        long least = RequestValidator.minResultFrameBytes(r.result.form(), RequestValidator.mapCount(r.target), r.outHeight, r.outWidth);
        if (least > r.connection.maxResultBytes()) {
            throw new InvalidInputException("a result of " + r.outHeight + "x" + r.outWidth + " " + r.result.form() + " maps takes at least " + least
                    + " bytes, more than the " + r.connection.maxResultBytes() + " bytes a result to this client may take"
                    + " (its frame limit, or the server's per-connection result buffer); ask for a smaller output size");
        }
    }

    /**
     * Checks the size the image declares against the pixel budget and reserves its decode memory before decoding
     * anything (a small file can declare gigapixels); returns its pixels as packed BGR and sets the frame size.
     */
    private byte[] decodeImage(InferenceRequest r, Payload p) {
        String what = "the " + p.format() + " payload";
        ImageHeader header = ImageHeader.read(p.bytes(), what);
        if (!header.format().equals(p.format().name())) {
            throw new InvalidInputException(what + " holds a " + header.format() + " image: send it as " + header.format());
        }
        if (header.pixels() > maxImagePixels) {
            throw new InvalidInputException(what + " declares " + header.width() + "x" + header.height() + " pixels, more than the "
                    + maxImagePixels + " this server decodes (its --max-image-pixels): send a smaller image");
        }
        long bytes = header.pixels() * DECODE_BYTES_PER_PIXEL;
        if (!budget.tryAcquire(bytes)) {
            throw new OverloadedException("the server is busy decoding other large images (its decode memory is in use); retry later");
        }
        r.holdDecodeBytes(budget, bytes);
        try (Mat image = Images.decode(p.bytes(), "in request " + r.requestId + " (" + p.format() + " payload)")) {
            r.frameHeight = image.rows();
            r.frameWidth = image.cols();
            byte[] pixels = new byte[r.frameHeight * r.frameWidth * 3];
            if (image.isContinuous()) {
                image.data().get(pixels);
            } else {
                try (Mat packed = image.clone()) {
                    packed.data().get(pixels);
                }
            }
            return pixels;
        } catch (InvalidInputException e) {
            r.releaseDecodeBytes();
            throw e;
        } catch (RuntimeException e) {
            // OpenCV's own refusals carry its build paths: the client hears what is wrong, the log keeps the details
            r.releaseDecodeBytes();
            log.debug("decoding request {} ({}) failed", r.requestId, p.format(), e);
            throw new InvalidInputException("cannot decode " + what + ": corrupt or unsupported " + p.format());
        }
    }

    /** A NaN or an infinity would flow through the model into NaN probabilities and an all-zero map. */
    private static void requireFinite(float[] chw, int h, int w) {
        for (int i = 0; i < chw.length; i++) {
            if (!Float.isFinite(chw[i])) {
                int plane = h * w;
                throw new InvalidInputException("FLOAT32 payload has " + chw[i] + " at channel " + i / plane + ", row " + (i % plane) / w
                        + ", column " + i % w + ": tensor values must be finite");
            }
        }
    }

    /** Packed 8-bit pixels of any size to the model's input: crop (if configured), resize, normalise. */
    private void fromPixels(InferenceRequest r, byte[] hwc, int h, int w, boolean bgr) {
        float[] chw = new float[3 * preprocessing.height() * preprocessing.width()];
        preprocessor.fill(hwc, h, w, bgr, chw, 0);
        r.input = new FloatTensor(chw, 1, 3, preprocessing.height(), preprocessing.width());
        r.frameHeight = h;
        r.frameWidth = w;
    }

    private static byte[] swapRedAndBlue(byte[] rgb) {
        byte[] bgr = new byte[rgb.length];
        for (int i = 0; i + 2 < rgb.length; i += 3) {
            bgr[i] = rgb[i + 2];
            bgr[i + 1] = rgb[i + 1];
            bgr[i + 2] = rgb[i];
        }
        return bgr;
    }

    /** Packed BGR bytes back into an image (the caller closes it). */
    static Mat bgrMat(byte[] pixels, int height, int width) {
        Mat m = new Mat(height, width, CV_8UC3);
        m.data().put(pixels);
        return m;
    }
}
