package io.camstream.explain;

import io.camstream.Fixtures;
import io.camstream.model.Tensors;
import io.camstream.model.TorchModel;
import io.camstream.tensor.FloatTensor;
import io.camstream.tensor.Npy;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mathematical identities between methods, on models where they must hold (fixtures/methods):
 * for a layer followed only by global average pooling and a linear layer the gradient is W[c,k] / (h*w) at every
 * pixel, so HiResCAM = Grad-CAM, XGrad-CAM = Grad-CAM (its weights are W/(h*w) * sum(A)/(sum(A)+eps)), and CAM =
 * (h*w) * Grad-CAM; for a linear model the occlusion drop of a patch is the patch's sum of w . (x - baseline).
 */
class MethodIdentitiesTest {
    private static final int[] TARGETS = {2, 0, 3};
    private static TorchModel gap;
    private static TorchModel flat;
    private static TorchModel linear;
    private static FloatTensor input;

    @BeforeAll
    static void load() {
        gap = TorchModel.load(Fixtures.METHODS.resolve("gap_net.pt"));
        flat = TorchModel.load(Fixtures.METHODS.resolve("flat_net.pt"));
        linear = TorchModel.load(Fixtures.METHODS.resolve("linear_net.pt"));
        input = Npy.readFloat(Fixtures.METHODS.resolve("input.npy"));
    }

    @AfterAll
    static void close() {
        gap.close();
        flat.close();
        linear.close();
    }

    private static ExplanationBatch explain(TorchModel m, ExplanationMethod method) {
        return new Explainer(m, "features.7", method, Labels.NONE).explain(input, new Targets.Classes(TARGETS));
    }

    @Test
    void hiResCamAndXGradCamEqualGradCamOnAGapLinearHead() {
        ExplanationBatch grad = explain(gap, new GradCam());
        ExplanationBatch hires = explain(gap, new HiResCam());
        ExplanationBatch xgrad = explain(gap, new XGradCam());
        for (int m = 0; m < grad.size(); m++) {
            assertTrue(Fixtures.relativeError(hires.cams(), grad.cams(), m) < 1e-4, "HiResCAM cam " + m);
            assertTrue(Fixtures.relativeError(hires.heatmaps(), grad.heatmaps(), m) < 1e-4, "HiResCAM heatmap " + m);
            assertTrue(Fixtures.relativeError(xgrad.heatmaps(), grad.heatmaps(), m) < 1e-4, "XGrad-CAM heatmap " + m);
        }
    }

    @Test
    void camIsGradCamTimesTheLayerArea() {
        ExplanationBatch grad = explain(gap, new GradCam());
        ExplanationBatch cam = explain(gap, new Cam());
        int area = grad.cams().dim(1) * grad.cams().dim(2);
        float[] scaled = grad.cams().data().clone();
        for (int i = 0; i < scaled.length; i++) scaled[i] *= area;
        FloatTensor expected = new FloatTensor(scaled, grad.cams().shape());
        for (int m = 0; m < grad.size(); m++) {
            assertTrue(Fixtures.relativeError(cam.cams(), expected, m) < 1e-4, "cam " + m);
            assertTrue(Fixtures.relativeError(cam.heatmaps(), grad.heatmaps(), m) < 1e-4, "heatmap " + m);
        }
    }

    @Test
    void camRefusesASpatialHeadAndSaysWhy() {
        UnsupportedHeadException e = assertThrows(UnsupportedHeadException.class, () -> explain(flat, new Cam()));
        assertTrue(e.getMessage().contains("global average pooling") && e.getMessage().contains("gradcam"), e.getMessage());
        // a layer of a GAP model that is not the one pooled: something (the last ReLU) lies between
        UnsupportedHeadException e2 = assertThrows(UnsupportedHeadException.class,
                () -> new Explainer(gap, "features.6", new Cam(), Labels.NONE).explain(input, new Targets.Classes(TARGETS)));
        assertTrue(e2.getMessage().contains("features.6"), e2.getMessage());
    }

    @Test
    void occlusionOfALinearModelIsThePatchSumOfWeightsTimesInput() {
        FloatTensor x = Npy.readFloat(Fixtures.METHODS.resolve("linear_input.npy"));
        FloatTensor w;
        try (PointerScope scope = new PointerScope()) {
            w = Tensors.toJava(linear.submodule("fc").attr("weight").toTensor());
        }
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3), plane = h * wd;
        int target = 1;
        // non-overlapping patches (stride = patch), zero baseline: each pixel gets its own patch's sum of w . x
        int patch = 4;
        FloatTensor got = new Explainer(linear, List.of(), new Occlusion(patch, patch, 0f, 7), Labels.NONE).keepSignedMaps()
                .explain(x, new Targets.Classes(new int[]{target})).cams();
        // overlapping patches and a non-zero baseline: the mean over covering patches of sum of w . (x - b)
        int p2 = 5, s2 = 3;
        float b = -0.7f;
        FloatTensor got2 = new Explainer(linear, List.of(), new Occlusion(p2, s2, b, 16), Labels.NONE).keepSignedMaps()
                .explain(x, new Targets.Classes(new int[]{target})).cams();
        for (int i = 0; i < n; i++) {
            float[] contrib = new float[plane];
            for (int k = 0; k < c; k++) {
                for (int p = 0; p < plane; p++) {
                    contrib[p] += w.data()[target * c * plane + k * plane + p] * x.data()[(i * c + k) * plane + p];
                }
            }
            float[] wsum = new float[plane];
            for (int k = 0; k < c; k++) for (int p = 0; p < plane; p++) wsum[p] += w.data()[target * c * plane + k * plane + p];
            float[] expected = new float[plane];
            for (int y0 = 0; y0 < h; y0 += patch) {
                for (int x0 = 0; x0 < wd; x0 += patch) {
                    double s = 0;
                    for (int y = y0; y < y0 + patch; y++) for (int xx = x0; xx < x0 + patch; xx++) s += contrib[y * wd + xx];
                    for (int y = y0; y < y0 + patch; y++) for (int xx = x0; xx < x0 + patch; xx++) expected[y * wd + xx] = (float) s;
                }
            }
            assertClose(expected, got.data(), i * plane, "non-overlapping, input " + i);

            int[] ys = {0, 3, 6, 9, 11}; // 0, 3, 6, 9 and the last patch flush with the 16-pixel edge
            double[] sum = new double[plane];
            int[] count = new int[plane];
            for (int y0 : ys) {
                for (int x0 : ys) {
                    double s = 0;
                    for (int y = y0; y < y0 + p2; y++) for (int xx = x0; xx < x0 + p2; xx++) s += contrib[y * wd + xx] - b * wsum[y * wd + xx];
                    for (int y = y0; y < y0 + p2; y++) {
                        for (int xx = x0; xx < x0 + p2; xx++) {
                            sum[y * wd + xx] += s;
                            count[y * wd + xx]++;
                        }
                    }
                }
            }
            float[] expected2 = new float[plane];
            for (int p = 0; p < plane; p++) expected2[p] = (float) (sum[p] / count[p]);
            assertClose(expected2, got2.data(), i * plane, "overlapping, input " + i);
        }
    }

    private static void assertClose(float[] expected, float[] got, int offset, String what) {
        double scale = 0, diff = 0;
        for (int p = 0; p < expected.length; p++) {
            scale = Math.max(scale, Math.abs(expected[p]));
            diff = Math.max(diff, Math.abs(expected[p] - got[offset + p]));
        }
        assertTrue(diff <= 1e-4 * scale, what + ": max difference " + diff + " at scale " + scale);
    }
}
