package io.camstream.model;

import io.camstream.CamstreamException;
import io.camstream.tensor.FloatTensor;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

import java.util.ArrayList;
import java.util.List;

/** Which layers of a model can be captured, with their output shapes for one input size. */
public final class LayerCatalog {
    private final List<LayerInfo> layers;
    private final String defaultLayer;

    private LayerCatalog(List<LayerInfo> layers, String defaultLayer) {
        this.layers = List.copyOf(layers);
        this.defaultLayer = defaultLayer;
    }

    /** Runs the model once on zeros of shape (1, channels, size, size) with every called submodule captured. */
    public static LayerCatalog of(TorchModel model, int channels, int height, int width) {
        LayerCapture all = LayerCapture.buildAll(model.module(), model.modulePaths(), model::logitsOf);
        List<LayerInfo> infos = new ArrayList<>();
        String best = null;
        long bestData = 0;
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            Tensor zeros = model.toModelInput(FloatTensor.zeros(1, channels, height, width));
            LayerCapture.Result r = all.run(zeros);
            for (int i = 0; i < all.layers().size(); i++) {
                Tensor t = r.activations().get(i);
                int[] shape = null;
                if (t != null) {
                    long[] s = t.sizes().vec().get();
                    shape = new int[s.length];
                    for (int k = 0; k < s.length; k++) shape[k] = (int) s[k];
                }
                LayerInfo info = new LayerInfo(all.layers().get(i), shape);
                infos.add(info);
                // layers are in execution order; an enclosing module follows the inner module whose value it
                // returns, so the last spatial layer is the outermost name of the last spatial value
                if (info.isSpatial()) {
                    long data = t.data_ptr().address();
                    if (best == null || data != bestData || info.path().length() < best.length()) {
                        best = info.path();
                        bestData = data;
                    }
                }
            }
        }
        return new LayerCatalog(infos, best);
    }

    public List<LayerInfo> layers() {
        return layers;
    }

    /** The last layer with a spatial (N,C,h,w; h*w > 1) output: where Grad-CAM is usually computed. */
    public String defaultLayer() {
        if (defaultLayer == null) throw new CamstreamException("the model has no layer with a spatial (N,C,h,w) output to explain");
        return defaultLayer;
    }

    public LayerInfo find(String path) {
        for (LayerInfo l : layers) if (l.path().equals(path)) return l;
        return null;
    }
}
