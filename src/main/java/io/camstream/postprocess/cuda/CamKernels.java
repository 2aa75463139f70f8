package io.camstream.postprocess.cuda;

import io.camstream.InvalidInputException;
import io.camstream.tensor.FloatTensor;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch_cuda;

import java.util.Arrays;

/**
 * Typed launch wrappers for the kernels of one device, operating on libtorch CUDA tensors in place (their
 * {@code data_ptr()}), on libtorch's current stream for that device, so they order with libtorch's own work and its
 * caching allocator. Inputs that a kernel cannot address directly (another dtype; pixels not addressable as one
 * flat index) are converted once, with a libtorch op; outputs are allocated with libtorch. Call inside a
 * {@code PointerScope}. Launch geometry and argument order mirror {@code cuda-kernels/check_kernels.py}.
 */
public final class CamKernels {
    /** Threads per block of the channel-weight kernel. */
    public static final int BLOCK = 256;
    /** Threads per block of the fused kernel (one block per map). */
    public static final int FUSED_BLOCK = 512;
    /** Largest low-resolution map (bytes) kept in dynamic shared memory; larger ones go through {@code cams}. */
    static final int SMEM_CAM_LIMIT = 40960;

    /** Results of the fused kernel, on the device: cams (M, h, w) float32, heatmaps (M, outH, outW). */
    public record DeviceMaps(Tensor cams, Tensor heat) {
    }

    private final CudaModule module;
    private final int device;

    private CamKernels(CudaModule module) {
        this.module = module;
        this.device = module.device();
    }

    /** @throws io.camstream.CudaUnavailableException without a driver, device or loadable kernels */
    public static CamKernels forDevice(int device) {
        return new CamKernels(CudaModule.forDevice(device));
    }

    public CudaModule module() {
        return module;
    }

    private CUstream_st stream() {
        return torch_cuda.getCurrentCUDAStream((byte) device).stream();
    }

    private Device torchDevice() {
        return new Device(torch.DeviceType.CUDA, (byte) device);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // channel weights

    /**
     * Writes one weight per channel for each input into rows of {@code weights}: row {@code outRow[n]} for input n
     * (inputs with a negative entry are skipped; null means row n).
     *
     * @param act      (N, C, h, w) activations on this device, float32 or float16, NCHW or channels_last
     * @param grad     gradients of the same shape (any layout; converted to act's dtype), or null for {@link WeightKind#UNIFORM}
     * @param weights  (rows, C) float32 contiguous on this device
     */
    public void channelWeights(Tensor act, Tensor grad, WeightKind kind, int[] outRow, Tensor weights) {
        Tensor a = kernelReady(act, "activations");
        int[] shape = shape(a);
        int n = shape[0];
        int c = shape[1];
        int p = Math.multiplyExact(shape[2], shape[3]);
        Tensor g = null;
        if (kind.usesGradients()) {
            if (grad == null) throw new IllegalArgumentException(kind + " needs gradients");
            if (!Arrays.equals(shape(grad), shape)) {
                throw new InvalidInputException("gradients of shape " + Arrays.toString(shape(grad)) + " do not match activations " + Arrays.toString(shape));
            }
            g = kernelReady(grad.scalar_type() == a.scalar_type() ? grad : grad.to(a.scalar_type()), "gradients");
        }
        requireWeights(weights, -1, c);
        int rows = (int) weights.size(0);
        if (outRow == null && rows < n) throw new IllegalArgumentException("weights have " + rows + " rows for " + n + " inputs");
        if (outRow != null) {
            if (outRow.length != n) throw new IllegalArgumentException("outRow has " + outRow.length + " entries for " + n + " inputs");
            for (int r : outRow) if (r >= rows) throw new IllegalArgumentException("outRow entry " + r + " is past the " + rows + " weight rows");
        }
        if (n > 65535) throw new InvalidInputException("batch of " + n + " is over the 65535 inputs one launch handles");
        long[] as = pixelStrides(a);
        long[] gs = g == null ? new long[3] : pixelStrides(g);
        KernelArgs args = weightsArgs(a, g, n, c, p, as, gs, kind.code, outRow == null ? null : ints(outRow), weights);
        module.launch("cam_channel_weights_" + suffix(a), (c + 31) / 32, n, BLOCK, 0, stream(), args);
    }

    /** An uninitialised (rows, channels) float32 tensor on this device for {@link #channelWeights}. */
    public Tensor emptyWeights(int rows, int channels) {
        return torch.empty(new long[]{rows, channels}, options(torch.ScalarType.Float), new MemoryFormatOptional());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // fused post-processing

    /**
     * Map m = ReLU(sum_c weights[m, c] * act[mapInput[m], c]) at layer resolution, bilinearly upsampled to
     * (outH, outW) and min-max normalised over the upsampled values, for every row m of {@code weights}.
     *
     * @param mapInput input index of each map, or null for map m = input m
     * @param heatType {@code Float} or {@code Half}
     */
    public DeviceMaps fused(Tensor act, Tensor weights, int[] mapInput, int outH, int outW, boolean relu, torch.ScalarType heatType) {
        Tensor a = kernelReady(act, "activations");
        int[] shape = shape(a);
        int n = shape[0];
        int c = shape[1];
        int h = shape[2];
        int w = shape[3];
        requireWeights(weights, -1, c);
        int maps = (int) weights.size(0);
        if (maps < 1) throw new IllegalArgumentException("no maps to compute");
        if (mapInput == null && maps > n) throw new IllegalArgumentException(maps + " maps for " + n + " inputs without a map-to-input table");
        if (mapInput != null) {
            if (mapInput.length != maps) throw new IllegalArgumentException("mapInput has " + mapInput.length + " entries for " + maps + " maps");
            for (int i : mapInput) if (i < 0 || i >= n) throw new IllegalArgumentException("mapInput entry " + i + " is not an input index (0.." + (n - 1) + ")");
        }
        if (outH < 1 || outW < 1 || (long) outH * outW > Integer.MAX_VALUE) throw new InvalidInputException("bad output size " + outH + "x" + outW);
        if (heatType != torch.ScalarType.Float && heatType != torch.ScalarType.Half) throw new IllegalArgumentException("heatmaps are float32 or float16, not " + heatType);
        long camBytes = 4L * h * w;
        boolean camInSmem = camBytes <= SMEM_CAM_LIMIT;
        Tensor cams = torch.empty(new long[]{maps, h, w}, options(torch.ScalarType.Float), new MemoryFormatOptional());
        Tensor heat = torch.empty(new long[]{maps, outH, outW}, options(heatType), new MemoryFormatOptional());
        long[] as = pixelStrides(a);
        KernelArgs args = fusedArgs(a, as, c, h, w, weights, mapInput == null ? null : ints(mapInput), outH, outW, relu, camInSmem, cams, heat);
        String kernel = "cam_fused_" + suffix(a) + "_" + (heatType == torch.ScalarType.Half ? "f16" : "f32");
        module.launch(kernel, maps, 1, FUSED_BLOCK, camInSmem ? (int) camBytes : 0, stream(), args);
        return new DeviceMaps(cams, heat);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // kernel parameters, in the order and C types of the kernels' signatures (KernelSignatureTest checks them)

    static KernelArgs weightsArgs(Tensor a, Tensor g, int n, int c, int p, long[] as, long[] gs, int kind, Tensor outRow, Tensor weights) {
        return new KernelArgs().ptr(a).ptr(g).i32(n).i32(c).i32(p)
                .i64(as[0]).i64(as[1]).i64(as[2]).i64(gs[0]).i64(gs[1]).i64(gs[2])
                .i32(kind).ptr(outRow).ptr(weights);
    }

    static KernelArgs fusedArgs(Tensor a, long[] as, int c, int h, int w, Tensor weights, Tensor mapInput, int outH, int outW,
                                boolean relu, boolean camInSmem, Tensor cams, Tensor heat) {
        return new KernelArgs().ptr(a).i64(as[0]).i64(as[1]).i64(as[2]).i32(c).i32(h).i32(w)
                .ptr(weights).ptr(mapInput).i32(outH).i32(outW).i32(relu ? 1 : 0)
                .i32(camInSmem ? 1 : 0).ptr(cams).ptr(heat);
    }

    /** Host ints to this device (int32): one pinned asynchronous copy. */
    public Tensor ints(int[] values) {
        Tensor host = torch.from_blob(new IntPointer(values), new long[]{values.length}, new TensorOptions(torch.ScalarType.Int));
        return host.pin_memory().to(torchDevice(), torch.ScalarType.Int, true, false, new MemoryFormatOptional());
    }

    /** A device tensor (any float dtype) to a Java float32 array: one pinned asynchronous copy, then a stream sync. */
    public FloatTensor toJava(Tensor t) {
        Tensor src = t.scalar_type() == torch.ScalarType.Float ? t.contiguous() : t.to(torch.ScalarType.Float).contiguous();
        Tensor host = torch.empty(src.sizes().vec().get(), new TensorOptions(torch.ScalarType.Float).pinned_memory(new BoolOptional(true)),
                new MemoryFormatOptional());
        host.copy_(src, true);
        torch_cuda.getCurrentCUDAStream((byte) device).synchronize();
        float[] data = new float[Math.toIntExact(host.numel())];
        host.data_ptr_float().get(data);
        return new FloatTensor(data, shape(host));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // checks

    /**
     * {@code t} as a kernel can read it: on this device, float32 or float16 (other float types are converted), 4-D,
     * with (h, w) addressable as one flat pixel index (contiguous NCHW and channels_last are; others are made contiguous).
     */
    Tensor kernelReady(Tensor t, String what) {
        requireOnDevice(t, what);
        if (t.dim() != 4) throw new InvalidInputException(what + " must be (N, C, h, w), got " + Arrays.toString(shape(t)));
        Tensor r = t;
        if (r.scalar_type() != torch.ScalarType.Float && r.scalar_type() != torch.ScalarType.Half) r = r.to(torch.ScalarType.Float);
        if (pixelStrides(r) == null) r = r.contiguous();
        return r;
    }

    /** (sN, sC, sP) in elements, where pixel p = y * w + x sits at p * sP; null when no such stride exists. */
    static long[] pixelStrides(Tensor t) {
        long h = t.size(2);
        long w = t.size(3);
        long sP;
        if (w > 1) {
            sP = t.stride(3);
            if (h > 1 && t.stride(2) != w * sP) return null;
        } else {
            sP = t.stride(2); // w == 1: p = y
        }
        return new long[]{t.stride(0), t.stride(1), sP};
    }

    private void requireOnDevice(Tensor t, String what) {
        if (t == null) throw new IllegalArgumentException(what + " missing");
        if (!t.is_cuda() || t.device().index() != device) {
            throw new InvalidInputException(what + " must be on cuda:" + device + ", found on " + (t.is_cuda() ? "cuda:" + t.device().index() : "the CPU"));
        }
    }

    private void requireWeights(Tensor weights, int rows, int channels) {
        requireOnDevice(weights, "weights");
        if (weights.scalar_type() != torch.ScalarType.Float || weights.dim() != 2 || weights.size(1) != channels
                || (rows >= 0 && weights.size(0) != rows) || !weights.is_contiguous()) {
            throw new IllegalArgumentException("weights must be a contiguous float32 (maps, " + channels + ") tensor, got "
                    + weights.scalar_type() + " " + Arrays.toString(shape(weights)));
        }
    }

    private TensorOptions options(torch.ScalarType dtype) {
        return new TensorOptions(dtype).device(new DeviceOptional(torchDevice()));
    }

    private static String suffix(Tensor t) {
        return t.scalar_type() == torch.ScalarType.Half ? "f16" : "f32";
    }

    static int[] shape(Tensor t) {
        long[] s = t.sizes().vec().get();
        int[] out = new int[s.length];
        for (int i = 0; i < s.length; i++) out[i] = Math.toIntExact(s[i]);
        return out;
    }
}
