package io.camstream.postprocess.cuda;

import io.camstream.CudaUnavailableException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The run-time fallback: NVRTC compiles the shipped kernel source for every architecture the nvcc build targets, and
 * the entry points it produces take exactly the arguments the Java launches pack. Needs NVRTC's library (the GPU
 * build with a CUDA toolkit, or {@code mvn -Pgpu,cuda-redist}), not a GPU.
 */
@Tag("gpu")
@EnabledIf(value = "nvrtcWanted", disabledReason = "NVRTC's library is not loadable here")
class NvrtcCompileTest {
    static String source;

    /** True where NVRTC loads, or where it is required (camstream.requireNvrtc: then its absence fails below). */
    static boolean nvrtcWanted() {
        if (Boolean.getBoolean("camstream.requireNvrtc")) return true;
        try {
            NvrtcCompiler.require();
            return true;
        } catch (CudaUnavailableException e) {
            return false;
        }
    }

    @BeforeAll
    static void loadSource() {
        try {
            NvrtcCompiler.require();
        } catch (CudaUnavailableException e) {
            fail("NVRTC is required here (camstream.requireNvrtc) but not loadable", e);
        }
        source = new String(CudaModule.resource(CudaModule.SOURCE), StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sm_75", "sm_80", "sm_86", "sm_89", "sm_90"})
    void sourceCompilesToACubinWithEveryKernel(String architecture) {
        byte[] cubin = NvrtcCompiler.compile(source, CudaModule.SOURCE, architecture, NvrtcCompiler.Output.CUBIN);
        assertArrayEquals(new byte[]{0x7f, 'E', 'L', 'F'}, java.util.Arrays.copyOf(cubin, 4), "a cubin is an ELF image");
        String symbols = new String(cubin, StandardCharsets.ISO_8859_1);
        for (String k : CudaModule.KERNELS) assertTrue(symbols.contains(k + "\0"), architecture + " cubin lacks " + k);
    }

    /** PTX parameter widths: a pointer or long long is .u64/.b64, an int .u32/.s32/.b32, a float .f32. */
    @Test
    void ptxEntryPointsTakeTheArgumentsJavaPacks() {
        byte[] ptx = NvrtcCompiler.compile(source, CudaModule.SOURCE, "compute_75", NvrtcCompiler.Output.PTX);
        assertEquals(0, ptx[ptx.length - 1], "PTX handed to cuModuleLoadData must be NUL-terminated");
        String text = new String(ptx, 0, ptx.length - 1, StandardCharsets.US_ASCII);
        Map<String, String> expected = KernelSignatureTest.kernelSignatures();
        for (String k : CudaModule.KERNELS) {
            Matcher entry = Pattern.compile("\\.entry " + k + "\\(([^)]*)\\)").matcher(text);
            assertTrue(entry.find(), "PTX lacks .entry " + k);
            List<String> widths = new ArrayList<>();
            Matcher param = Pattern.compile("\\.param \\.(\\w+)").matcher(entry.group(1));
            while (param.find()) widths.add(param.group(1));
            String sig = expected.get(k);
            assertEquals(sig.length(), widths.size(), "parameter count of " + k + ": " + widths);
            for (int i = 0; i < sig.length(); i++) {
                String w = widths.get(i);
                boolean ok = switch (sig.charAt(i)) {
                    case 'p', 'l' -> w.equals("u64") || w.equals("b64") || w.equals("s64");
                    case 'i' -> w.equals("u32") || w.equals("b32") || w.equals("s32");
                    case 'f' -> w.equals("f32");
                    default -> false;
                };
                assertTrue(ok, k + " parameter " + i + " is ." + w + " but Java packs '" + sig.charAt(i) + "'");
            }
        }
    }

    @Test
    void aSourceErrorComesBackWithNvrtcsLog() {
        String broken = "extern \"C\" __global__ void k(float* p) { p[0] = undeclared_name; }";
        NvrtcCompiler.CompileException e = assertThrows(NvrtcCompiler.CompileException.class,
                () -> NvrtcCompiler.compile(broken, "broken.cu", "sm_75", NvrtcCompiler.Output.CUBIN));
        assertTrue(e.getMessage().contains("broken.cu") && e.getMessage().contains("undeclared_name"), e.getMessage());
    }
}
