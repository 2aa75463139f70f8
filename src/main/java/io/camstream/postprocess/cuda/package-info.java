/**
 * The GPU path: camstream's CUDA kernels ({@code cuda-kernels/camstream_kernels.cu}) loaded through the driver API of
 * the JavaCPP CUDA presets and launched on libtorch's current stream, directly on libtorch's device tensors.
 *
 * <ul>
 *   <li>{@link io.camstream.postprocess.cuda.CudaModule}: loads the kernels once per device (nvcc-built fatbin or PTX
 *       from the jar; NVRTC compiling the shipped source as the fallback).</li>
 *   <li>{@link io.camstream.postprocess.cuda.CamKernels}: typed launch wrappers (channel weights, fused
 *       post-processing) with the checks that keep a bad argument from reaching a kernel.</li>
 *   <li>{@link io.camstream.postprocess.cuda.DeviceCams}: a batch's layer maps from a
 *       {@link io.camstream.model.CapturedPass} on the device, the CUDA side of {@code explain.LayerMaps}.</li>
 * </ul>
 *
 * Every kernel has a CPU reference in Java that gives the same numbers (see {@code cuda-kernels/README.md}). Nothing
 * here loads a native CUDA library before it is asked for: in the CPU build every entry point fails with
 * {@link io.camstream.CudaUnavailableException} ("CUDA not available: ...").
 */
package io.camstream.postprocess.cuda;
