package io.camstream.postprocess.cuda;

import io.camstream.CamstreamException;
import io.camstream.CudaUnavailableException;
import org.bytedeco.cuda.global.nvrtc;
import org.bytedeco.cuda.nvrtc._nvrtcProgram;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.javacpp.SizeTPointer;

import static org.bytedeco.cuda.global.nvrtc.NVRTC_SUCCESS;
import static org.bytedeco.cuda.global.nvrtc.nvrtcCompileProgram;
import static org.bytedeco.cuda.global.nvrtc.nvrtcCreateProgram;
import static org.bytedeco.cuda.global.nvrtc.nvrtcDestroyProgram;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetCUBIN;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetCUBINSize;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetErrorString;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetPTX;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetPTXSize;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetProgramLog;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetProgramLogSize;

/**
 * Compiles CUDA C++ source at run time with NVRTC, the fallback when the jar carries no nvcc-built image. Needs
 * NVRTC's library (a CUDA toolkit, or {@code -Pcuda-redist}) but no GPU or driver, so it can be tested anywhere.
 */
final class NvrtcCompiler {
    /** What NVRTC produces: a cubin for one real architecture ({@code sm_XY}) or PTX for a virtual one ({@code compute_XY}). */
    enum Output { CUBIN, PTX }

    /** A compilation NVRTC rejected; the message carries its log. */
    static final class CompileException extends CamstreamException {
        CompileException(String message) {
            super(message);
        }
    }

    private NvrtcCompiler() {
    }

    /** @throws CudaUnavailableException when NVRTC's native library cannot be loaded */
    static void require() {
        try {
            Loader.load(nvrtc.class);
        } catch (LinkageError | RuntimeException e) {
            throw new CudaUnavailableException("CUDA not available: cannot load NVRTC: " + CudaDriver.firstLine(e), e);
        }
    }

    /**
     * Compiles {@code source} (named {@code name} in diagnostics) for {@code architecture} ("sm_90" for a cubin,
     * "compute_75" for PTX) and returns the image, NUL-terminated so that {@code cuModuleLoadData} can take PTX text.
     *
     * @throws CompileException with NVRTC's log when the source does not compile for that architecture
     */
    static byte[] compile(String source, String name, String architecture, Output output) {
        require();
        try (PointerScope scope = new PointerScope()) {
            _nvrtcProgram prog = new _nvrtcProgram();
            int rc = nvrtcCreateProgram(prog, new BytePointer(source), new BytePointer(name), 0, (PointerPointer<?>) null, (PointerPointer<?>) null);
            if (rc != NVRTC_SUCCESS) throw new CompileException("nvrtcCreateProgram(" + name + "): " + nvrtcGetErrorString(rc).getString());
            try {
                String[] options = {"--gpu-architecture=" + architecture, "--std=c++17"};
                rc = nvrtcCompileProgram(prog, options.length, new PointerPointer<>(options));
                if (rc != NVRTC_SUCCESS) {
                    throw new CompileException("NVRTC cannot compile " + name + " for " + architecture + ": "
                            + nvrtcGetErrorString(rc).getString() + log(prog));
                }
                SizeTPointer size = new SizeTPointer(1);
                BytePointer image;
                if (output == Output.CUBIN) {
                    ok(nvrtcGetCUBINSize(prog, size), "nvrtcGetCUBINSize");
                    image = new BytePointer(size.get());
                    ok(nvrtcGetCUBIN(prog, image), "nvrtcGetCUBIN");
                } else {
                    ok(nvrtcGetPTXSize(prog, size), "nvrtcGetPTXSize"); // counts PTX's terminating NUL
                    image = new BytePointer(size.get());
                    ok(nvrtcGetPTX(prog, image), "nvrtcGetPTX");
                }
                byte[] bytes = new byte[Math.toIntExact(size.get()) + 1]; // the last byte stays 0
                image.get(bytes, 0, Math.toIntExact(size.get()));
                return bytes;
            } finally {
                nvrtcDestroyProgram(prog);
            }
        }
    }

    private static String log(_nvrtcProgram prog) {
        SizeTPointer logSize = new SizeTPointer(1);
        if (nvrtcGetProgramLogSize(prog, logSize) != NVRTC_SUCCESS || logSize.get() <= 1) return "";
        BytePointer buf = new BytePointer(logSize.get());
        nvrtcGetProgramLog(prog, buf);
        return "\n" + buf.getString().trim();
    }

    private static void ok(int rc, String what) {
        if (rc != NVRTC_SUCCESS) throw new CompileException(what + ": " + nvrtcGetErrorString(rc).getString());
    }
}
