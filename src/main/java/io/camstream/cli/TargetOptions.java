package io.camstream.cli;

import io.camstream.explain.Target;
import io.camstream.explain.Targets;
import picocli.CommandLine.Option;

/** --target or --topk (default: top-1), and --score. */
final class TargetOptions {
    @Option(names = "--target", paramLabel = "T[,T...]", description = "What to explain: a class (3), a contrast (3-7: why 3 rather than 7), "
            + "a weighted set of classes (3+7, 0.7*3+0.3*7); one for all inputs, or one per input, comma-separated. Default: the top-1 prediction.")
    String target;

    @Option(names = "--topk", paramLabel = "K", description = "Explain each input's K best classes (maps are input-major).")
    Integer topk;

    @Option(names = "--score", paramLabel = "logit|prob", description = "Score the target's classes by their logits or their softmax probabilities (default: ${DEFAULT-VALUE}).",
            defaultValue = "logit")
    String score;

    Targets targets() {
        if (target != null && topk != null) throw new io.camstream.InvalidInputException("give either --target or --topk, not both");
        Target.Score s = Target.Score.parse(score);
        if (target != null) return Targets.parse(target, s);
        return new Targets.TopK(topk == null ? 1 : topk, s);
    }
}
