package io.camstream.image;

import io.camstream.InvalidInputException;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Header sizes against what OpenCV's encoders wrote, and against hand-made headers (a decompression bomb among them). */
public class ImageHeaderTest {
    public static byte[] encoded(String ext, int height, int width) {
        try (Mat m = new Mat(height, width, CV_8UC3, new Scalar(40, 90, 200, 0)); BytePointer out = new BytePointer()) {
            imencode(ext, m, out);
            byte[] b = new byte[(int) out.limit()];
            out.get(b);
            return b;
        }
    }

    /**
     * A valid 1-bit greyscale PNG of {@code width x height} black pixels: a few KB on the wire that an image library
     * decodes into {@code 3 * width * height} bytes of colour.
     */
    public static byte[] blackPng(int width, int height) {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.writeBytes(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(png, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 1).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0).array());
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        byte[] row = new byte[1 + (width + 7) / 8]; // filter byte 0, then zero bits
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        for (int y = 0; y < height; y++) {
            deflater.setInput(row);
            while (!deflater.needsInput()) idat.write(buf, 0, deflater.deflate(buf));
        }
        deflater.finish();
        while (!deflater.finished()) idat.write(buf, 0, deflater.deflate(buf));
        deflater.end();
        chunk(png, "IDAT", idat.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** The JPEG with its frame header's height and width replaced. */
    public static byte[] withJpegSize(byte[] jpeg, int height, int width) {
        byte[] b = jpeg.clone();
        for (int i = 2; i + 8 < b.length; i++) {
            if ((b[i] & 0xff) == 0xff && ((b[i + 1] & 0xff) == 0xc0 || (b[i + 1] & 0xff) == 0xc2)) {
                ByteBuffer.wrap(b, i + 5, 4).putShort((short) height).putShort((short) width);
                return b;
            }
        }
        throw new AssertionError("no SOF0/SOF2 marker");
    }

    @Test
    void readsTheSizesOpenCvWrote() {
        assertEquals(new ImageHeader("PNG", 37, 21), ImageHeader.read(encoded(".png", 21, 37), "x"));
        assertEquals(new ImageHeader("JPEG", 37, 21), ImageHeader.read(encoded(".jpg", 21, 37), "x"));
        assertEquals(new ImageHeader("JPEG", 640, 480), ImageHeader.read(encoded(".jpg", 480, 640), "x"));
    }

    @Test
    void readsWhatABombDeclares() {
        byte[] bomb = blackPng(20000, 20000);
        assertEquals(20000L * 20000, ImageHeader.read(bomb, "bomb").pixels());
        assertEquals(new ImageHeader("JPEG", 40000, 30000), ImageHeader.read(withJpegSize(encoded(".jpg", 16, 16), 30000, 40000), "x"));
    }

    @Test
    void refusesWhatIsNoPngOrJpeg() {
        byte[] png = encoded(".png", 8, 8);
        byte[] jpeg = encoded(".jpg", 8, 8);
        String bmp = assertThrows(InvalidInputException.class, () -> ImageHeader.read(encoded(".bmp", 8, 8), "the payload")).getMessage();
        assertEquals("the payload is neither a PNG nor a JPEG (its first bytes are no PNG or JPEG signature)", bmp);
        assertThrows(InvalidInputException.class, () -> ImageHeader.read(new byte[0], "x"));
        assertThrows(InvalidInputException.class, () -> ImageHeader.read(Arrays.copyOf(png, 20), "x"));
        assertThrows(InvalidInputException.class, () -> ImageHeader.read(Arrays.copyOf(jpeg, 30), "x"));
        assertThrows(InvalidInputException.class, () -> ImageHeader.read(withJpegSize(jpeg, 0, 8), "x"));
        byte[] noMarker = jpeg.clone();
        noMarker[2] = 0x12;
        assertThrows(InvalidInputException.class, () -> ImageHeader.read(noMarker, "x"));
    }
}
