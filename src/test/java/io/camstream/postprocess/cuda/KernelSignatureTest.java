package io.camstream.postprocess.cuda;

import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The Java side of every launch against the kernel source: parameter count, order and C types (a mismatch would
 * not fail at launch, it would make the kernel read garbage). Runs without a GPU.
 */
class KernelSignatureTest {
    /** name -> signature letters (p pointer, i int, l long long, f float), parsed from the shipped .cu source. */
    static Map<String, String> kernelSignatures() {
        byte[] bytes = CudaModule.resource(CudaModule.SOURCE);
        assertNotNull(bytes, "the kernel source must be on the class path as /cuda/" + CudaModule.SOURCE);
        String src = new String(bytes, StandardCharsets.UTF_8);
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("extern \"C\" __global__ void (\\w+)\\(([^)]*)\\)").matcher(src);
        while (m.find()) {
            if (m.group(1).equals("NAME")) continue; // the macro's template, expanded below
            out.put(m.group(1), letters(m.group(2)));
        }
        Matcher macro = Pattern.compile("#define CS_FUSED_ENTRY\\(NAME, TA, TO\\)\\s*\\\\\\s*extern \"C\" __global__ void NAME\\(([^)]*)\\)").matcher(src);
        if (macro.find()) {
            String sig = letters(macro.group(1).replace("\\", " "));
            Matcher uses = Pattern.compile("^CS_FUSED_ENTRY\\((\\w+),", Pattern.MULTILINE).matcher(src);
            while (uses.find()) out.put(uses.group(1), sig);
        }
        return out;
    }

    private static String letters(String params) {
        StringBuilder sb = new StringBuilder();
        for (String raw : params.split(",")) {
            String p = raw.trim().replaceAll("\\s+", " ");
            if (p.isEmpty()) continue;
            if (p.contains("*")) sb.append('p');
            else if (p.startsWith("long long ")) sb.append('l');
            else if (p.startsWith("int ")) sb.append('i');
            else if (p.startsWith("float ")) sb.append('f');
            else throw new AssertionError("unexpected kernel parameter type: " + p);
        }
        return sb.toString();
    }

    @Test
    void everyKernelIsListedAndEveryListedKernelExists() {
        assertEquals(new java.util.TreeSet<>(CudaModule.KERNELS), new java.util.TreeSet<>(kernelSignatures().keySet()));
    }

    @Test
    void launchArgumentsMatchTheKernelSignatures() {
        Map<String, String> sig = kernelSignatures();
        try (PointerScope scope = new PointerScope()) {
            long[] s3 = {1, 2, 3};
            String weights = CamKernels.weightsArgs(null, null, 1, 2, 3, s3, s3, 1, null, null).signature();
            String fused = CamKernels.fusedArgs(null, s3, 1, 2, 3, null, null, 4, 5, true, true, null, null).signature();
            for (Map.Entry<String, String> e : sig.entrySet()) {
                String expected = e.getKey().startsWith("cam_channel_weights_") ? weights
                        : e.getKey().startsWith("cam_fused_") ? fused : null;
                assertEquals(e.getValue(), expected, "arguments of " + e.getKey());
            }
        }
    }

    @Test
    void packedArgumentsPointAtTheirValues() {
        try (PointerScope scope = new PointerScope()) {
            KernelArgs args = new KernelArgs().address(0x7f00_1234_5678L).i32(-3).i64(1L << 40);
            PointerPointer<Pointer> pp = args.pack();
            assertEquals(0x7f00_1234_5678L, new LongPointer(pp.get(0)).get());
            assertEquals(-3, new org.bytedeco.javacpp.IntPointer(pp.get(1)).get());
            assertEquals(1L << 40, new LongPointer(pp.get(2)).get());
            assertEquals("pil", args.signature());
        }
    }
}
