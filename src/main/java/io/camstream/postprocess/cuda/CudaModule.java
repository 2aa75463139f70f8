package io.camstream.postprocess.cuda;

import io.camstream.CamstreamException;
import io.camstream.CudaUnavailableException;
import org.bytedeco.cuda.cudart.CUctx_st;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.PointerScope;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.camstream.postprocess.cuda.CudaDriver.check;
import static io.camstream.postprocess.cuda.CudaDriver.errorName;
import static org.bytedeco.cuda.global.cudart.CUDA_SUCCESS;
import static org.bytedeco.cuda.global.cudart.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR;
import static org.bytedeco.cuda.global.cudart.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR;
import static org.bytedeco.cuda.global.cudart.cuCtxSetCurrent;
import static org.bytedeco.cuda.global.cudart.cuDeviceGet;
import static org.bytedeco.cuda.global.cudart.cuDeviceGetAttribute;
import static org.bytedeco.cuda.global.cudart.cuDevicePrimaryCtxRetain;
import static org.bytedeco.cuda.global.cudart.cuLaunchKernel;
import static org.bytedeco.cuda.global.cudart.cuModuleGetFunction;
import static org.bytedeco.cuda.global.cudart.cuModuleLoadData;

/**
 * camstream's kernels loaded into one device's primary context (the context libtorch's runtime API uses, so the
 * kernels see libtorch's device memory). Images are tried in order: the nvcc-built fatbin from the jar
 * ({@code /cuda/camstream_kernels.fatbin}: SASS for sm_75..sm_90 plus PTX), the PTX ({@code .ptx}), then NVRTC compiling
 * the shipped source ({@code /cuda/camstream_kernels.cu}) to a cubin for the device's architecture (or to PTX for
 * compute_75 when NVRTC does not know the architecture). One module per device, loaded once, never unloaded.
 */
public final class CudaModule {
    public static final String RESOURCE_DIR = "/cuda/";
    public static final String SOURCE = "camstream_kernels.cu";
    public static final String FATBIN = "camstream_kernels.fatbin";
    public static final String PTX = "camstream_kernels.ptx";
    /** Every entry point of camstream_kernels.cu. */
    public static final List<String> KERNELS = List.of(
            "cam_channel_weights_f32", "cam_channel_weights_f16",
            "cam_fused_f32_f32", "cam_fused_f32_f16", "cam_fused_f16_f32", "cam_fused_f16_f16");

    private static final Map<Integer, CudaModule> MODULES = new HashMap<>();

    private final int device;
    private final CUctx_st context;
    private final CUmod_st module;
    private final String origin;
    private final Map<String, CUfunc_st> functions = new HashMap<>();

    private CudaModule(int device, CUctx_st context, CUmod_st module, String origin) {
        this.device = device;
        this.context = context;
        this.module = module;
        this.origin = origin;
    }

    /**
     * The kernels on CUDA device {@code device}, loaded on first use.
     *
     * @throws CudaUnavailableException without a usable driver or device, or when no image loads
     */
    public static synchronized CudaModule forDevice(int device) {
        CudaModule m = MODULES.get(device);
        if (m == null) {
            CudaDriver.require();
            m = load(device);
            MODULES.put(device, m);
        }
        return m;
    }

    public int device() {
        return device;
    }

    /** Which image was loaded, e.g. "camstream_kernels.fatbin from the jar" or "NVRTC (sm_90 cubin)". */
    public String origin() {
        return origin;
    }

    /** True when the jar carries an nvcc-built image (the build ran where nvcc exists). */
    public static boolean hasPrebuiltImage() {
        return CudaModule.class.getResource(RESOURCE_DIR + FATBIN) != null || CudaModule.class.getResource(RESOURCE_DIR + PTX) != null;
    }

    private static CudaModule load(int device) {
        List<String> tried = new ArrayList<>();
        // opaque handles (context, module, functions) own no native memory, so this scope frees only temporaries
        try (PointerScope scope = new PointerScope()) {
            int[] dev = new int[1];
            check(cuDeviceGet(dev, device), "cuDeviceGet(" + device + ")");
            CUctx_st ctx = new CUctx_st();
            check(cuDevicePrimaryCtxRetain(ctx, dev[0]), "cuDevicePrimaryCtxRetain(" + device + ")");
            check(cuCtxSetCurrent(ctx), "cuCtxSetCurrent");
            int[] major = new int[1];
            int[] minor = new int[1];
            check(cuDeviceGetAttribute(major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev[0]), "cuDeviceGetAttribute");
            check(cuDeviceGetAttribute(minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev[0]), "cuDeviceGetAttribute");

            for (String image : List.of(FATBIN, PTX)) {
                byte[] bytes = resource(image);
                if (bytes == null) {
                    tried.add(image + ": not in the jar (built without nvcc)");
                    continue;
                }
                CUmod_st mod = new CUmod_st();
                int rc = cuModuleLoadData(mod, nulTerminated(bytes));
                if (rc == CUDA_SUCCESS) return new CudaModule(device, ctx, mod, image + " from the jar");
                tried.add(image + ": cuModuleLoadData gave " + errorName(rc));
            }

            byte[] source = resource(SOURCE);
            if (source == null) {
                tried.add("NVRTC: " + SOURCE + " is not on the class path");
            } else {
                CudaModule m = loadWithNvrtc(device, ctx, new String(source, StandardCharsets.UTF_8), major[0], minor[0], tried);
                if (m != null) return m;
            }
        }
        throw new CudaUnavailableException("CUDA not available: cannot load the camstream kernels on cuda:" + device + ": " + String.join("; ", tried));
    }

    private static CudaModule loadWithNvrtc(int device, CUctx_st ctx, String source, int major, int minor, List<String> tried) {
        try {
            NvrtcCompiler.require();
        } catch (CudaUnavailableException e) {
            tried.add("NVRTC: " + e.getMessage());
            return null;
        }
        // the device's own architecture first; PTX for the oldest supported one when this NVRTC does not know it
        String[][] attempts = {{"sm_" + major + minor, "CUBIN"}, {"compute_75", "PTX"}};
        for (String[] attempt : attempts) {
            byte[] image;
            try {
                image = NvrtcCompiler.compile(source, SOURCE, attempt[0], NvrtcCompiler.Output.valueOf(attempt[1]));
            } catch (NvrtcCompiler.CompileException e) {
                tried.add(e.getMessage());
                continue;
            }
            CUmod_st mod = new CUmod_st();
            int rc = cuModuleLoadData(mod, new BytePointer(image));
            String what = "NVRTC (" + attempt[0] + " " + attempt[1].toLowerCase(Locale.ROOT) + ")";
            if (rc == CUDA_SUCCESS) return new CudaModule(device, ctx, mod, what);
            tried.add(what + ": cuModuleLoadData gave " + errorName(rc));
        }
        return null;
    }

    private static BytePointer nulTerminated(byte[] bytes) {
        BytePointer p = new BytePointer(bytes.length + 1L);
        p.put(bytes);
        p.put(bytes.length, (byte) 0);
        return p;
    }

    static byte[] resource(String name) {
        try (InputStream in = CudaModule.class.getResourceAsStream(RESOURCE_DIR + name)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE_DIR + name + " from the class path", e);
        }
    }

    synchronized CUfunc_st function(String name) {
        CUfunc_st f = functions.get(name);
        if (f == null) {
            f = new CUfunc_st();
            check(cuModuleGetFunction(f, module, name), "cuModuleGetFunction(" + name + ")");
            functions.put(name, f);
        }
        return f;
    }

    /**
     * Launches {@code kernel} on {@code stream} (asynchronous: errors inside the kernel surface at the next
     * synchronising call on that stream, e.g. the copy of the results to the host).
     */
    void launch(String kernel, int gridX, int gridY, int blockX, int sharedBytes, CUstream_st stream, KernelArgs args) {
        CUfunc_st f = function(kernel);
        try (PointerScope scope = new PointerScope()) {
            check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
            int rc = cuLaunchKernel(f, gridX, gridY, 1, blockX, 1, 1, sharedBytes, stream, args.pack(), (PointerPointer<?>) null);
            if (rc != CUDA_SUCCESS) {
                throw new CamstreamException("launching " + kernel + " (grid " + gridX + "x" + gridY + ", block " + blockX + ", "
                        + sharedBytes + " B dynamic shared memory, " + args.size() + " arguments) failed: " + errorName(rc));
            }
        }
    }
}
