package io.camstream.explain;

import io.camstream.InvalidInputException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The registry of methods by name. A new method is one class plus one line here. */
public final class Methods {
    private static final Map<String, Supplier<ExplanationMethod>> BY_NAME = new LinkedHashMap<>();

    static {
        register("gradcam", GradCam::new);
        register("gradcam++", GradCamPlusPlus::new);
        register("activations", ActivationMap::new);
    }

    private Methods() {
    }

    private static void register(String name, Supplier<ExplanationMethod> factory) {
        BY_NAME.put(name, factory);
    }

    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }

    public static ExplanationMethod byName(String name) {
        Supplier<ExplanationMethod> f = BY_NAME.get(name == null ? "" : name.toLowerCase(java.util.Locale.ROOT));
        if (f == null) throw new InvalidInputException("unknown method '" + name + "'; valid methods: " + String.join(", ", names()));
        return f.get();
    }
}
