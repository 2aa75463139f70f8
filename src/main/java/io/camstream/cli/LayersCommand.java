package io.camstream.cli;

import io.camstream.image.Preprocessing;
import io.camstream.model.LayerCatalog;
import io.camstream.model.LayerInfo;
import io.camstream.model.TorchModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "layers", description = "List the layers that can be explained, with their output shapes for one input.", mixinStandardHelpOptions = true)
final class LayersCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Override
    public Integer call() {
        model.applyThreads();
        Preprocessing p = model.preprocessing();
        try (TorchModel m = model.load()) {
            LayerCatalog catalog = LayerCatalog.of(m, 3, p.height(), p.width());
            int width = catalog.layers().stream().mapToInt(l -> l.path().length()).max().orElse(5);
            String def = catalog.layers().stream().anyMatch(LayerInfo::isSpatial) ? catalog.defaultLayer() : null;
            System.out.printf("%-" + width + "s  %s%n", "layer", "output shape (input 1x3x" + p.height() + "x" + p.width() + ")");
            for (LayerInfo l : catalog.layers()) {
                String mark = l.path().equals(def) ? "   <- default" : l.isSpatial() ? "" : l.isTokens() ? "   (tokens: capturable with --reshape tokens or HxW)" : "   (no spatial map)";
                System.out.printf("%-" + width + "s  %s%s%n", l.path(), l.shapeText(), mark);
            }
        }
        return 0;
    }
}
