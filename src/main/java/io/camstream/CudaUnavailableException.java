package io.camstream;

/**
 * CUDA was asked for (e.g. {@code --device cuda}) but cannot be used here: CPU-only libtorch (build without
 * {@code -Pgpu}), no NVIDIA driver or GPU, no such device index, or the camstream kernels cannot be loaded. The message
 * starts with "CUDA not available: " and says which.
 */
public class CudaUnavailableException extends CamstreamException {
    public CudaUnavailableException(String message) {
        super(message.startsWith("CUDA not available") ? message : "CUDA not available: " + message);
    }

    public CudaUnavailableException(String message, Throwable cause) {
        super(message.startsWith("CUDA not available") ? message : "CUDA not available: " + message, cause);
    }
}
