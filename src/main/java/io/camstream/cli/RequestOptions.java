package io.camstream.cli;

import io.camstream.InvalidInputException;
import io.camstream.protocol.HelloOk;
import io.camstream.protocol.Target;
import io.camstream.protocol.TargetKind;
import picocli.CommandLine.Option;

/** What `stream` and `load` ask the server for: method, target, deadline, priority. */
final class RequestOptions {
    @Option(names = "--method", paramLabel = "NAME", defaultValue = "gradcam", completionCandidates = ExplainCommand.MethodNames.class,
            description = "One of: ${COMPLETION-CANDIDATES} (those the server offers). Default: ${DEFAULT-VALUE}.")
    String method;

    @Option(names = "--target", paramLabel = "C|A-B", description = "Explain this class (3), or a contrast (3-7: why class 3 rather than 7; "
            + "a protocol version 2 request). Default: the top-1 prediction.")
    String target;

    @Option(names = "--topk", paramLabel = "K", description = "Explain the K best classes.")
    Integer topk;

    @Option(names = "--deadline-ms", paramLabel = "MS", defaultValue = "0", description = "Per-request deadline; 0 for none. Default: ${DEFAULT-VALUE}.")
    long deadlineMillis;

    @Option(names = "--priority", paramLabel = "P", defaultValue = "0", description = "0..255, higher first. Default: ${DEFAULT-VALUE}.")
    int priority;

    Target target() {
        if (target != null && topk != null) throw new InvalidInputException("give either --target or --topk, not both");
        if (target != null) {
            Target t;
            try {
                t = Target.parse(target);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("--target: " + e.getMessage());
            }
            if (t.kind() != TargetKind.CLASS && t.kind() != TargetKind.CONTRAST) {
                throw new InvalidInputException("--target takes a class (3) or a contrast (3-7); use --topk K for the K best classes, got '" + target + "'");
            }
            return t;
        }
        if (topk != null) {
            if (topk < 1) throw new InvalidInputException("--topk must be at least 1");
            return Target.topK(topk);
        }
        return Target.top1();
    }

    /** Maps each answer carries: k for --topk, else 1. */
    int mapsPerRequest() {
        return topk != null ? topk : 1;
    }

    /** Refuses, right after the handshake, what this server cannot serve (rather than failing every frame). */
    void checkAgainst(HelloOk server) {
        long classes = server.numClasses();
        Target t = target();
        long highest = t.kind() == TargetKind.CONTRAST ? Math.max(t.contrastA(), t.contrastB()) : t.kind() == TargetKind.CLASS ? t.value() : -1;
        if (highest >= classes) {
            throw new InvalidInputException("--target " + target + " is out of range: the server's model has " + classes + " classes (0.." + (classes - 1) + ")");
        }
        if (t.kind().sinceVersion > server.version()) {
            throw new InvalidInputException("--target " + target + " is a contrast, which needs protocol version " + t.kind().sinceVersion
                    + "; the server speaks version " + server.version() + " (upgrade it)");
        }
        if (topk != null && topk > classes) {
            throw new InvalidInputException("--topk " + topk + " is more than the " + classes + " classes the server's model has");
        }
        if (server.methods().stream().noneMatch(m -> m.equalsIgnoreCase(method))) {
            throw new InvalidInputException("the server does not offer --method " + method + "; it offers " + String.join(", ", server.methods()));
        }
    }

    long deadlineMicros() {
        if (deadlineMillis < 0 || deadlineMillis > 4_000_000) throw new InvalidInputException("--deadline-ms must be in 0..4000000");
        return deadlineMillis * 1000;
    }

    int priority() {
        if (priority < 0 || priority > 255) throw new InvalidInputException("--priority must be in 0..255");
        return priority;
    }
}
