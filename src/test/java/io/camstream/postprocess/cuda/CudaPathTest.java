package io.camstream.postprocess.cuda;

import io.camstream.explain.CamMethod;
import io.camstream.explain.ExplanationBatch;
import io.camstream.explain.Explainer;
import io.camstream.explain.GradCam;
import io.camstream.explain.GradCamPlusPlus;
import io.camstream.explain.ActivationMap;
import io.camstream.explain.Labels;
import io.camstream.explain.Methods;
import io.camstream.explain.Targets;
import io.camstream.model.CudaDevices;
import io.camstream.model.ExecutionDevice;
import io.camstream.model.Tensors;
import io.camstream.model.TorchModel;
import io.camstream.postprocess.CamPostprocessor;
import io.camstream.tensor.FloatTensor;
import io.camstream.tensor.Npy;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static io.camstream.postprocess.cuda.CudaUnavailableTest.fixture;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CUDA path against the CPU path, on random data and on a small model. Runs with {@code mvn -Pgpu test} on a
 * machine with an NVIDIA GPU and driver; skipped (not failed) where libtorch sees no CUDA device.
 * Tolerances: 1e-4 where everything is float32, 1e-2 where half precision is involved.
 */
@Tag("gpu")
@EnabledIf(value = "cudaUsable", disabledReason = "no CUDA device visible to libtorch")
class CudaPathTest {
    static final int DEV = 0;

    static boolean cudaUsable() {
        return CudaDevices.available();
    }

    static Tensor toDevice(FloatTensor t, torch.ScalarType dtype, boolean channelsLast) {
        return Tensors.toTorch(t).to(new Device(torch.DeviceType.CUDA, (byte) DEV), dtype, false, false,
                new MemoryFormatOptional(channelsLast ? torch.MemoryFormat.ChannelsLast : torch.MemoryFormat.Contiguous));
    }

    static FloatTensor random(Random rnd, boolean nonNegative, double scale, int... shape) {
        float[] v = new float[Math.toIntExact(FloatTensor.numel(shape))];
        for (int i = 0; i < v.length; i++) {
            double x = rnd.nextGaussian() * scale;
            v[i] = (float) (nonNegative ? Math.max(0, x) : x);
        }
        return new FloatTensor(v, shape);
    }

    static void assertClose(FloatTensor expected, FloatTensor actual, double tol, boolean relative, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        double scale = 1;
        if (relative) {
            scale = 0;
            for (float v : expected.data()) scale = Math.max(scale, Math.abs(v));
            if (scale == 0) scale = 1;
        }
        double maxErr = 0;
        for (int i = 0; i < expected.numel(); i++) maxErr = Math.max(maxErr, Math.abs(expected.data()[i] - actual.data()[i]));
        assertTrue(maxErr <= tol * scale, what + ": max error " + maxErr + " > " + tol * scale);
    }

    @Test
    void weightsAndFusedKernelMatchTheCpuPath() {
        Random rnd = new Random(3);
        int n = 3, c = 70, h = 7, w = 9, outH = 61, outW = 45;
        FloatTensor a = random(rnd, true, 1, n, c, h, w);
        FloatTensor g = random(rnd, false, 1e-2, n, c, h, w);
        CamMethod[] methods = {new GradCam(), new GradCamPlusPlus(), new ActivationMap()};
        WeightKind[] kinds = {WeightKind.MEAN_GRADIENT, WeightKind.GRADCAM_PLUS_PLUS, WeightKind.UNIFORM};
        for (torch.ScalarType dtype : new torch.ScalarType[]{torch.ScalarType.Float, torch.ScalarType.Half}) {
            for (boolean channelsLast : new boolean[]{false, true}) {
                try (PointerScope scope = new PointerScope()) {
                    Tensor da = toDevice(a, dtype, channelsLast);
                    Tensor dg = toDevice(g, dtype, channelsLast);
                    // the CPU reference sees exactly the values the GPU sees (half-rounded when half)
                    FloatTensor ha = Tensors.toJava(da);
                    FloatTensor hg = Tensors.toJava(dg);
                    for (int k = 0; k < methods.length; k++) {
                        float[] raw = new float[n * h * w];
                        float[] map = new float[h * w];
                        for (int i = 0; i < n; i++) {
                            methods[k].computeMap(ha.data(), hg.data(), i * c * h * w, c, h, w, map);
                            System.arraycopy(map, 0, raw, i * h * w, h * w);
                        }
                        CamPostprocessor.Maps cpu = CamPostprocessor.cpu().process(new FloatTensor(raw, n, h, w), outH, outW, true);
                        CamPostprocessor.Maps cuda = onDevice(da, dg, kinds[k], outH, outW);
                        double tol = dtype == torch.ScalarType.Half ? 1e-2 : 1e-4;
                        String what = methods[k].name() + " " + dtype + (channelsLast ? " channels_last" : " NCHW");
                        assertClose(cpu.cams(), cuda.cams(), tol, true, what + " cams");
                        assertClose(cpu.heatmaps(), cuda.heatmaps(), tol, false, what + " heatmaps");
                    }
                }
            }
        }
    }

    /** The channel-weight kernel, then the fused kernel, results copied to the host. */
    private static CamPostprocessor.Maps onDevice(Tensor activations, Tensor gradients, WeightKind kind, int outH, int outW) {
        CamKernels k = CamKernels.forDevice(DEV);
        Tensor weights = k.emptyWeights((int) activations.size(0), (int) activations.size(1));
        k.channelWeights(activations, gradients, kind, null, weights);
        CamKernels.DeviceMaps out = k.fused(activations, weights, null, outH, outW, true, torch.ScalarType.Float);
        return new CamPostprocessor.Maps(k.toJava(out.cams()), k.toJava(out.heat()));
    }

    @Test
    void explainerOnCudaMatchesTheCpu() {
        FloatTensor input = Npy.readFloat(fixture("input.npy"));
        for (String method : Methods.names()) {
            ExplanationBatch cpu;
            try (TorchModel model = TorchModel.load(fixture("tiny_cnn.pt"))) {
                cpu = new Explainer(model, "features.3", Methods.byName(method), Labels.NONE).explain(input, new Targets.TopK(2));
            }
            ExecutionDevice[] devices = {ExecutionDevice.cuda(DEV).withHalf(false).withChannelsLast(false),
                    ExecutionDevice.cuda(DEV).withHalf(false), ExecutionDevice.cuda(DEV)};
            for (ExecutionDevice device : devices) {
                try (TorchModel model = TorchModel.load(fixture("tiny_cnn.pt"), device)) {
                    ExplanationBatch gpu = new Explainer(model, "features.3", Methods.byName(method), Labels.NONE).explain(input, new Targets.TopK(2));
                    assertArrayEquals(cpu.targetClass(), gpu.targetClass(), method + " targets on " + device);
                    // half runs the whole network in float16: the maps move by more than the kernels' own 1e-2
                    double tol = device.half() ? 5e-2 : 1e-4;
                    assertClose(cpu.cams(), gpu.cams(), tol, true, method + " cams on " + device);
                    assertClose(cpu.heatmaps(), gpu.heatmaps(), tol, false, method + " heatmaps on " + device);
                }
            }
        }
    }

    @Test
    void methodsWithoutAKernelFallBackToTheCpuPathOnCuda() {
        CamMethod custom = new CamMethod() { // Grad-CAM written as a method the GPU branch does not know
            private final GradCam inner = new GradCam();

            @Override
            public String name() {
                return "custom";
            }

            @Override
            public boolean usesGradients() {
                return true;
            }

            @Override
            public void computeMap(float[] a, float[] g, int offset, int channels, int height, int width, float[] map) {
                inner.computeMap(a, g, offset, channels, height, width, map);
            }
        };
        FloatTensor input = Npy.readFloat(fixture("input.npy"));
        try (TorchModel model = TorchModel.load(fixture("tiny_cnn.pt"), ExecutionDevice.cuda(DEV).withHalf(false).withChannelsLast(false))) {
            ExplanationBatch viaCpu = new Explainer(model, "features.3", custom, Labels.NONE).explain(input, Targets.top1());
            ExplanationBatch viaGpu = new Explainer(model, "features.3", new GradCam(), Labels.NONE).explain(input, Targets.top1());
            assertClose(viaCpu.heatmaps(), viaGpu.heatmaps(), 1e-4, false, "fallback vs fused");
        }
    }
}
