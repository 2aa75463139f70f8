package io.camstream.postprocess.cuda;

import io.camstream.CamstreamException;
import io.camstream.CudaUnavailableException;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.cuda.global.cudart;

import static org.bytedeco.cuda.global.cudart.CUDA_SUCCESS;
import static org.bytedeco.cuda.global.cudart.cuGetErrorName;
import static org.bytedeco.cuda.global.cudart.cuInit;

/** The CUDA driver API, loaded and initialised on first use; every failure becomes a typed exception. */
final class CudaDriver {
    private static boolean ready;
    private static String failure;

    private CudaDriver() {
    }

    static synchronized void require() {
        if (ready) return;
        if (failure != null) throw new CudaUnavailableException(failure);
        try {
            Loader.load(cudart.class);
        } catch (LinkageError | RuntimeException e) {
            failure = "CUDA not available: cannot load the CUDA driver API through org.bytedeco:cuda (its native libraries come "
                    + "with the GPU build, mvn -Pgpu, and need an NVIDIA driver): " + firstLine(e);
            throw new CudaUnavailableException(failure, e);
        }
        int rc = cuInit(0);
        if (rc != CUDA_SUCCESS) {
            failure = "CUDA not available: cuInit failed with " + errorName(rc) + " (no NVIDIA driver or no GPU?)";
            throw new CudaUnavailableException(failure);
        }
        ready = true;
    }

    static String errorName(int rc) {
        try (PointerScope scope = new PointerScope()) {
            PointerPointer<BytePointer> name = new PointerPointer<>(1);
            if (cuGetErrorName(rc, name) == CUDA_SUCCESS && name.get(0) != null) {
                return name.get(BytePointer.class, 0).getString() + " (" + rc + ")";
            }
        } catch (LinkageError | RuntimeException e) {
            // fall through: the code alone
        }
        return "CUresult " + rc;
    }

    static void check(int rc, String what) {
        if (rc != CUDA_SUCCESS) throw new CamstreamException("CUDA driver call " + what + " failed: " + errorName(rc));
    }

    static String firstLine(Throwable t) {
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        int nl = m.indexOf('\n');
        return t.getClass().getSimpleName() + ": " + (nl < 0 ? m : m.substring(0, nl));
    }
}
