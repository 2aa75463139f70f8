package io.camstream.cli;

import io.camstream.explain.ExplanationMethod;
import io.camstream.explain.Explainer;
import io.camstream.explain.Fusion;
import io.camstream.explain.Labels;
import io.camstream.explain.Methods;
import io.camstream.explain.Occlusion;
import io.camstream.explain.TokenGrid;
import io.camstream.image.Preprocessing;
import io.camstream.model.LayerCall;
import io.camstream.model.TorchModel;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** How a method is run: layers and their fusion, smoothing, signed maps, occlusion's patch. Shared by explain, evaluate, bench. */
public final class MethodOptions {
    @Option(names = "--layer", split = ",", paramLabel = "PATH[,PATH...]", hideParamSyntax = true,
            description = "Module path(s) of the layer(s), e.g. layer4 or layer3,layer4 (maps fused, see --fuse). Default: the config's, else the last layer "
                    + "with a spatial output. Ignored by occlusion and guided-backprop.")
    List<String> layers;

    @Option(names = "--call", paramLabel = "first|last|N", defaultValue = "first",
            description = "Which call of a layer that forward() calls more than once (a shared ReLU) to capture: first, last, or the N-th from 1. "
                    + "Default: ${DEFAULT-VALUE} (as pytorch-grad-cam).")
    String call;

    @Option(names = "--reshape", paramLabel = "tokens|HxW",
            description = "For transformer layers whose output is (N, tokens, C): map the tokens onto a square grid (tokens; a leading class token is dropped) "
                    + "or an HxW grid, as pytorch-grad-cam's reshape_transform.")
    String reshape;

    @Option(names = "--fuse", paramLabel = "mean|max", defaultValue = "mean", description = "How several layers' maps are combined. Default: ${DEFAULT-VALUE}.")
    String fuse;

    @Option(names = "--aug-smooth", description = "Average the maps of the input and its horizontal flip at intensities 0.9, 1, 1.1 (6 passes).")
    boolean augSmooth;

    @Option(names = "--eigen-smooth", description = "Replace each map by the first principal component of its per-channel terms.")
    boolean eigenSmooth;

    @Option(names = "--no-relu", description = "Keep signed maps (no ReLU); heatmaps then span the signed range.")
    boolean noRelu;

    @Option(names = "--patch", paramLabel = "PX", defaultValue = "" + Occlusion.DEFAULT_PATCH, description = "occlusion: patch size. Default: ${DEFAULT-VALUE}.")
    int patch;

    @Option(names = "--stride", paramLabel = "PX", defaultValue = "" + Occlusion.DEFAULT_STRIDE, description = "occlusion: stride. Default: ${DEFAULT-VALUE}.")
    int stride;

    @Option(names = "--baseline", paramLabel = "V", defaultValue = "0",
            description = "occlusion: value of the occluded pixels in the normalised input (0 = the mean colour). Default: ${DEFAULT-VALUE}.")
    float baseline;

    /** The layers to use: asked, else the config's, else the default; none for methods that use none and were given none. */
    List<String> resolveLayers(ExplanationMethod method, String fromConfig, Integer configSize, TorchModel model, Preprocessing prep, PrintStream log) {
        if (!method.usesLayers() && layers == null) return List.of();
        List<String> out = new ArrayList<>();
        if (layers != null) {
            for (String l : layers) out.add(LayerChoice.resolve(l.strip(), null, model, prep, configSize, reshape != null, log));
        } else {
            out.add(LayerChoice.resolve(null, fromConfig, model, prep, configSize, reshape != null, log));
        }
        return out;
    }

    /**
     * @param configSize the config's input size (null if none): where a default layer would be, for comparison
     * @param chunk masked or occluded copies per forward (scorecam, occlusion)
     */
    Explainer explainer(TorchModel model, String methodName, String layerFromConfig, Integer configSize, Preprocessing prep, Labels labels, int chunk, PrintStream log) {
        ExplanationMethod method = Methods.byName(methodName, new Methods.Options(chunk, patch, stride, baseline));
        Explainer e = new Explainer(model, resolveLayers(method, layerFromConfig, configSize, model, prep, log), method, labels).fuse(Fusion.parse(fuse)).atCall(LayerCall.parse(call));
        if (reshape != null) e.reshapeTokens(TokenGrid.parse(reshape));
        if (augSmooth) e.smoothOverAugmentations();
        if (eigenSmooth) e.smoothByEigenProjection();
        if (noRelu) e.keepSignedMaps();
        return e;
    }
}
