package io.camstream.postprocess.cuda;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What the build puts on the class path for the GPU path (no GPU needed). */
class KernelResourcesTest {
    @Test
    void sourceShipsForNvrtc() {
        byte[] src = CudaModule.resource(CudaModule.SOURCE);
        assertNotNull(src);
        assertTrue(new String(src, StandardCharsets.UTF_8).contains("cam_fused_f32_f32"));
    }

    @Test
    void nvccBuiltImagesShipWhereNvccExists() {
        assumeTrue(Files.isExecutable(Path.of("/usr/local/bin/nvcc")), "no nvcc here: the jar carries the source only");
        assertTrue(CudaModule.hasPrebuiltImage());
        byte[] ptx = CudaModule.resource(CudaModule.PTX);
        assertNotNull(ptx, "the nvcc profile should have built " + CudaModule.PTX);
        String text = new String(ptx, StandardCharsets.US_ASCII);
        for (String k : CudaModule.KERNELS) assertTrue(text.contains(".entry " + k + "("), "PTX lacks " + k);
        byte[] fatbin = CudaModule.resource(CudaModule.FATBIN);
        assertNotNull(fatbin, "the nvcc profile should have built " + CudaModule.FATBIN);
        assertEquals(0xBA55ED50, ByteBuffer.wrap(fatbin, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt(), "fatbin magic");
    }
}
