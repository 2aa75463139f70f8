package io.camstream.tensor;

import io.camstream.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NpyTest {
    @Test
    void floatRoundTrip(@TempDir Path dir) throws Exception {
        FloatTensor t = new FloatTensor(new float[]{1, -2.5f, 3, 4, 5, 6}, 1, 2, 3);
        Path f = dir.resolve("t.npy");
        Npy.write(f, t);
        FloatTensor back = Npy.readFloat(f);
        assertArrayEquals(t.shape(), back.shape());
        assertArrayEquals(t.data(), back.data());
        // header length keeps the data 64-byte aligned, as NumPy writes it
        org.junit.jupiter.api.Assertions.assertEquals(0, (Files.size(f) - 24) % 64);
    }

    @Test
    void longRoundTrip(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("l.npy");
        Npy.write(f, new long[]{3, 7, -1}, 3);
        assertArrayEquals(new long[]{3, 7, -1}, Npy.read(f).toLongs());
    }

    @Test
    void garbageIsATypedError(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.npy");
        Files.write(f, new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
        assertThrows(InvalidInputException.class, () -> Npy.read(f));
    }
}
