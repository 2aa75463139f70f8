package io.camstream.model;

import io.camstream.tensor.FloatTensor;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.JitModule;

import java.util.List;

/**
 * A submodule that looks like {@code nn.Linear} (in_features, out_features and a 2-D weight), read into Java arrays.
 *
 * @param path   its module path
 * @param weight {@code (out, in)}
 * @param bias   {@code (out)}, or null when it has none
 */
public record LinearHead(String path, FloatTensor weight, FloatTensor bias) {

    /** The last registered submodule of {@code model} that looks like nn.Linear, or null. */
    public static LinearHead last(TorchModel model) {
        List<String> paths = model.modulePaths();
        for (int i = paths.size() - 1; i >= 0; i--) {
            try (PointerScope scope = new PointerScope()) {
                JitModule m = model.submodule(paths.get(i));
                if (m.hasattr("in_features") && m.hasattr("out_features") && m.hasattr("weight")
                        && m.attr("weight").isTensor() && m.attr("weight").toTensor().dim() == 2) {
                    var b = m.attr("bias");
                    return new LinearHead(paths.get(i), Tensors.toJava(m.attr("weight").toTensor()),
                            b.isTensor() ? Tensors.toJava(b.toTensor()) : null);
                }
            }
        }
        return null;
    }
}
