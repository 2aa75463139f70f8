package io.camstream.explain;

import io.camstream.InvalidInputException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** The registry of methods by name. A new method is one class plus one line here. */
public final class Methods {
    /** Settings of the methods that take any (masked/occluded forwards per chunk, occlusion patch). */
    public record Options(int batchSize, int patch, int stride, float baseline) {
        public static final Options DEFAULTS = new Options(ScoreCam.DEFAULT_BATCH_SIZE, Occlusion.DEFAULT_PATCH, Occlusion.DEFAULT_STRIDE, 0f);
    }

    private static final Map<String, Function<Options, ExplanationMethod>> BY_NAME = new LinkedHashMap<>();

    static {
        register("gradcam", o -> new GradCam());
        register("gradcam++", o -> new GradCamPlusPlus());
        register("xgradcam", o -> new XGradCam());
        register("layercam", o -> new LayerCam());
        register("hirescam", o -> new HiResCam());
        register("eigencam", o -> new EigenCam());
        register("scorecam", o -> new ScoreCam(o.batchSize()));
        register("cam", o -> new Cam());
        register("occlusion", o -> new Occlusion(o.patch(), o.stride(), o.baseline(), o.batchSize()));
        register("guided-backprop", o -> new GuidedBackprop());
        register("guided-gradcam", o -> new GuidedGradCam());
        register("activations", o -> new ActivationMap());
        register("eigengradcam", o -> new EigenGradCam());
    }

    private Methods() {
    }

    private static void register(String name, Function<Options, ExplanationMethod> factory) {
        BY_NAME.put(name, factory);
    }

    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }

    public static ExplanationMethod byName(String name) {
        return byName(name, Options.DEFAULTS);
    }

    public static ExplanationMethod byName(String name, Options options) {
        Function<Options, ExplanationMethod> f = BY_NAME.get(name == null ? "" : name.toLowerCase(Locale.ROOT));
        if (f == null) throw new InvalidInputException("unknown method '" + name + "'; valid methods: " + String.join(", ", names()));
        return f.apply(options);
    }
}
