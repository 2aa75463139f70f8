package io.camstream.cli;

import io.camstream.explain.Targets;
import picocli.CommandLine.Option;

/** --target or --topk (default: top-1). */
final class TargetOptions {
    @Option(names = "--target", paramLabel = "C[,C...]", description = "Class to explain: one for all inputs, or one per input. Default: the top-1 prediction.")
    String target;

    @Option(names = "--topk", paramLabel = "K", description = "Explain each input's K best classes (maps are input-major).")
    Integer topk;

    Targets targets() {
        if (target != null && topk != null) throw new io.camstream.InvalidInputException("give either --target or --topk, not both");
        if (target != null) return Targets.parse(target);
        return new Targets.TopK(topk == null ? 1 : topk);
    }
}
