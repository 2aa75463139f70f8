package io.camstream.model;

import io.camstream.CudaUnavailableException;
import org.bytedeco.pytorch.global.torch;

/**
 * What libtorch says about CUDA. Safe to call in every build: with the CPU libtorch (no {@code -Pgpu}) it reports no
 * devices instead of failing.
 */
public final class CudaDevices {
    private CudaDevices() {
    }

    /** Number of CUDA devices libtorch can use (0 with CPU-only libtorch, no driver or no GPU). */
    public static int count() {
        try {
            return torch.cuda_is_available() ? torch.cuda_device_count() : 0;
        } catch (RuntimeException | LinkageError e) {
            return 0;
        }
    }

    public static boolean available() {
        return count() > 0;
    }

    /** The device's name as the driver reports it (e.g. "NVIDIA H100 80GB HBM3"); only call when it is available. */
    public static String name(int index) {
        try {
            return org.bytedeco.pytorch.global.torch_cuda.getDeviceProperties((byte) index).name().getString();
        } catch (RuntimeException | LinkageError e) {
            return "CUDA device " + index;
        }
    }

    /** @throws CudaUnavailableException unless libtorch can use CUDA device {@code index} */
    public static void require(int index) {
        int n = count();
        if (n == 0) {
            throw new CudaUnavailableException("CUDA not available: libtorch reports no usable CUDA device "
                    + "(torch::cuda::is_available() is false). A CUDA run needs the GPU build (mvn -Pgpu, CUDA libtorch), "
                    + "an NVIDIA driver and a GPU; use --device cpu otherwise");
        }
        if (index >= n) {
            throw new CudaUnavailableException("CUDA not available: no CUDA device " + index + " (libtorch sees " + n
                    + " device" + (n == 1 ? "" : "s") + ": cuda:0" + (n > 1 ? "..cuda:" + (n - 1) : "") + ")");
        }
    }
}
