package io.camstream.image;

import io.camstream.InvalidInputException;

/**
 * The pixel size an encoded PNG or JPEG declares, read from its header (PNG's IHDR, JPEG's SOF) without decoding:
 * what lets a server refuse a decompression bomb (a small file declaring a huge image) before allocating anything.
 */
public record ImageHeader(String format, long width, long height) {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    public long pixels() {
        return width * height;
    }

    /** The header of a PNG or JPEG; {@code what} names the source in errors. */
    public static ImageHeader read(byte[] b, String what) {
        if (startsWith(b, PNG_SIGNATURE)) return png(b, what);
        if (b.length >= 2 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8) return jpeg(b, what);
        throw new InvalidInputException(what + " is neither a PNG nor a JPEG (its first bytes are no PNG or JPEG signature)");
    }

    private static ImageHeader png(byte[] b, String what) {
        // signature, then the first chunk must be IHDR: u32 length 13, "IHDR", u32 width, u32 height (big-endian)
        if (b.length < 8 + 8 + 8 || u32(b, 8) != 13 || b[12] != 'I' || b[13] != 'H' || b[14] != 'D' || b[15] != 'R') {
            throw new InvalidInputException(what + ": a PNG must start with its IHDR header; this one is truncated or corrupt");
        }
        return checked(new ImageHeader("PNG", u32(b, 16), u32(b, 20)), what);
    }

    private static ImageHeader jpeg(byte[] b, String what) {
        int i = 2;
        while (i < b.length) {
            if ((b[i] & 0xff) != 0xff) throw new InvalidInputException(what + ": corrupt JPEG (no marker at byte " + i + ")");
            while (i < b.length && (b[i] & 0xff) == 0xff) i++; // fill bytes
            if (i >= b.length) break;
            int marker = b[i++] & 0xff;
            if (marker == 0x01 || marker >= 0xd0 && marker <= 0xd8) continue; // markers without a length
            if (marker == 0xd9 || marker == 0xda) break; // end of image or start of scan: no frame header came first
            if (i + 2 > b.length) break;
            int length = u16(b, i);
            if (length < 2) throw new InvalidInputException(what + ": corrupt JPEG (segment length " + length + " at byte " + i + ")");
            boolean startOfFrame = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
            if (startOfFrame) {
                if (length < 7 || i + 7 > b.length) break;
                return checked(new ImageHeader("JPEG", u16(b, i + 5), u16(b, i + 3)), what);
            }
            i += length;
        }
        throw new InvalidInputException(what + ": a JPEG without a frame header (truncated or corrupt)");
    }

    private static ImageHeader checked(ImageHeader h, String what) {
        if (h.width < 1 || h.height < 1) throw new InvalidInputException(what + ": the " + h.format + " header declares " + h.width + "x" + h.height + " pixels");
        return h;
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        if (b.length < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) if (b[i] != prefix[i]) return false;
        return true;
    }

    private static long u32(byte[] b, int i) {
        return ((long) (b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
    }

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }
}
