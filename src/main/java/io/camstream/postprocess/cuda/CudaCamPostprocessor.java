package io.camstream.postprocess.cuda;

import io.camstream.model.CudaDevices;
import io.camstream.model.Tensors;
import io.camstream.postprocess.CamPostprocessor;
import io.camstream.tensor.FloatTensor;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * CAM post-processing on a CUDA device with the fused kernel.
 *
 * <ul>
 *   <li>{@link #process(Tensor, Tensor, WeightKind, int, int, boolean)}: device activations and gradients in, small
 *       results out. Channel weights and the fused kernel run on the device; only the (M, h, w) cams and the
 *       normalised heatmaps are copied to the host.</li>
 *   <li>{@link #process(FloatTensor, int, int, boolean)}: the {@link CamPostprocessor} contract (maps computed on the
 *       host by any method): ReLU, upsampling and normalisation on the device. Same numbers as
 *       {@link CamPostprocessor#cpu()}.</li>
 * </ul>
 */
public final class CudaCamPostprocessor implements CamPostprocessor {
    private final int device;

    /** @throws io.camstream.CudaUnavailableException when the device, the driver or the kernels are not usable */
    public CudaCamPostprocessor(int device) {
        CudaDevices.require(device);
        CamKernels.forDevice(device);
        this.device = device;
    }

    public int device() {
        return device;
    }

    @Override
    public Maps process(FloatTensor raw, int outH, int outW, boolean relu) {
        if (raw.rank() != 3) throw new IllegalArgumentException("raw maps must be (M, h, w), got " + raw);
        try (PointerScope scope = new PointerScope()) {
            CamKernels k = CamKernels.forDevice(device);
            int m = raw.dim(0);
            // the maps as (M, 1, h, w) activations with weight 1: the kernel's sum is then the map itself, exactly
            FloatTensor asActivations = new FloatTensor(raw.data(), m, 1, raw.dim(1), raw.dim(2));
            Tensor a = Tensors.toTorch(asActivations).pin_memory()
                    .to(new Device(torch.DeviceType.CUDA, (byte) device), torch.ScalarType.Float, true, false, new MemoryFormatOptional());
            Tensor w = k.emptyWeights(m, 1).fill_(new Scalar(1f));
            CamKernels.DeviceMaps out = k.fused(a, w, null, outH, outW, relu, torch.ScalarType.Float);
            return new Maps(k.toJava(out.cams()), k.toJava(out.heat()));
        }
    }

    /**
     * One map per input from device tensors.
     *
     * @param activations (N, C, h, w) on this device, float32/float16, NCHW or channels_last
     * @param gradients   same shape, or null for {@link WeightKind#UNIFORM}
     */
    public Maps process(Tensor activations, Tensor gradients, WeightKind kind, int outH, int outW, boolean relu) {
        try (PointerScope scope = new PointerScope()) {
            CamKernels k = CamKernels.forDevice(device);
            int n = (int) activations.size(0);
            int c = (int) activations.size(1);
            Tensor w = k.emptyWeights(n, c);
            k.channelWeights(activations, gradients, kind, null, w);
            CamKernels.DeviceMaps out = k.fused(activations, w, null, outH, outW, relu, torch.ScalarType.Float);
            return new Maps(k.toJava(out.cams()), k.toJava(out.heat()));
        }
    }
}
