package io.camstream.tensor;

import io.camstream.InvalidInputException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files (format 1.0/2.0, C order): float32, float64, int64, int32 and uint8 read, float32 and
 * int64 written. Enough for tensors in and maps out; no library on Maven Central does this without a Kotlin runtime.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']+)'");
    private static final Pattern ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /** A parsed array: values widened to double only when asked; element type as in the file. */
    public record Array(String dtype, int[] shape, ByteBuffer data) {
        public FloatTensor toFloat() {
            int n = Math.toIntExact(FloatTensor.numel(shape));
            float[] out = new float[n];
            ByteBuffer b = data.duplicate().order(data.order());
            switch (dtype) {
                case "f4" -> b.asFloatBuffer().get(out);
                case "f8" -> { for (int i = 0; i < n; i++) out[i] = (float) b.getDouble(); }
                case "i8" -> { for (int i = 0; i < n; i++) out[i] = b.getLong(); }
                case "i4" -> { for (int i = 0; i < n; i++) out[i] = b.getInt(); }
                case "u1" -> { for (int i = 0; i < n; i++) out[i] = b.get() & 0xff; }
                default -> throw new InvalidInputException("unsupported .npy dtype " + dtype);
            }
            return new FloatTensor(out, shape);
        }

        public long[] toLongs() {
            int n = Math.toIntExact(FloatTensor.numel(shape));
            long[] out = new long[n];
            ByteBuffer b = data.duplicate().order(data.order());
            switch (dtype) {
                case "i8" -> b.asLongBuffer().get(out);
                case "i4" -> { for (int i = 0; i < n; i++) out[i] = b.getInt(); }
                case "u1" -> { for (int i = 0; i < n; i++) out[i] = b.get() & 0xff; }
                default -> throw new InvalidInputException("expected an integer .npy array, got dtype " + dtype);
            }
            return out;
        }
    }

    public static FloatTensor readFloat(Path path) {
        return read(path).toFloat();
    }

    public static Array read(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new InvalidInputException("cannot read " + path + ": " + e.getMessage(), e);
        }
        return parse(bytes, path.toString());
    }

    public static Array parse(byte[] bytes, String what) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10) throw new InvalidInputException(what + " is not a .npy file (too short)");
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) throw new InvalidInputException(what + " is not a .npy file (bad magic)");
        }
        int major = bytes[6];
        int headerLen;
        int start;
        if (major == 1) {
            headerLen = b.getShort(8) & 0xffff;
            start = 10;
        } else if (major == 2 || major == 3) {
            headerLen = b.getInt(8);
            start = 12;
        } else {
            throw new InvalidInputException(what + ": unsupported .npy version " + major);
        }
        if (start + headerLen > bytes.length) throw new InvalidInputException(what + ": truncated .npy header");
        String header = new String(bytes, start, headerLen, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher o = ORDER.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !o.find() || !s.find()) throw new InvalidInputException(what + ": malformed .npy header: " + header.trim());
        if (o.group(1).equals("True")) throw new InvalidInputException(what + ": Fortran-order arrays are not supported; save with np.ascontiguousarray");
        String descr = d.group(1);
        ByteOrder order = descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        String dtype = descr.substring(1);
        int itemSize = switch (dtype) {
            case "f4", "i4" -> 4;
            case "f8", "i8" -> 8;
            case "u1", "b1" -> 1;
            default -> throw new InvalidInputException(what + ": unsupported .npy dtype " + descr + " (use float32)");
        };
        String dims = s.group(1).trim();
        int[] shape = dims.isEmpty() ? new int[0] : java.util.Arrays.stream(dims.split(","))
                .map(String::trim).filter(x -> !x.isEmpty()).mapToInt(Integer::parseInt).toArray();
        long need = FloatTensor.numel(shape) * itemSize;
        int dataStart = start + headerLen;
        if (bytes.length - dataStart < need) {
            throw new InvalidInputException(what + ": .npy data truncated (shape " + java.util.Arrays.toString(shape) + " needs " + need + " bytes, file has " + (bytes.length - dataStart) + ")");
        }
        ByteBuffer data = ByteBuffer.wrap(bytes, dataStart, (int) need).slice().order(order);
        return new Array(dtype.equals("b1") ? "u1" : dtype, shape, data);
    }

    public static void write(Path path, FloatTensor t) throws IOException {
        ByteBuffer body = ByteBuffer.allocate(t.numel() * 4).order(ByteOrder.LITTLE_ENDIAN);
        body.asFloatBuffer().put(t.data());
        writeRaw(path, "<f4", t.shape(), body.array());
    }

    public static void write(Path path, long[] values, int... shape) throws IOException {
        ByteBuffer body = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        body.asLongBuffer().put(values);
        writeRaw(path, "<i8", shape, body.array());
    }

    private static void writeRaw(Path path, String descr, int[] shape, byte[] body) throws IOException {
        StringBuilder dims = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            dims.append(shape[i]).append(shape.length == 1 ? "," : (i + 1 < shape.length ? ", " : ""));
        }
        String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
        int total = MAGIC.length + 4 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        header = header + " ".repeat(pad) + "\n";
        ByteBuffer out = ByteBuffer.allocate(10 + header.length() + body.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        out.put(header.getBytes(StandardCharsets.ISO_8859_1)).put(body);
        Files.write(path, out.array());
    }
}
