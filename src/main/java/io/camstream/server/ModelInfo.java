package io.camstream.server;

import java.util.List;

/** What the served model offers clients, announced in HELLO_OK. */
public record ModelInfo(int inputHeight, int inputWidth, int numClasses, String layer, List<String> methods) {
    public ModelInfo {
        methods = List.copyOf(methods);
    }
}
