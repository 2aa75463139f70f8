package io.camstream.server;

import io.camstream.explain.Targets;
import io.camstream.protocol.Target;
import io.camstream.protocol.TargetKind;

import java.util.ArrayList;
import java.util.List;

/**
 * Requests that can share one batch: the same method and the same kind of target. TOP1 is TOPK with k = 1;
 * CLASS and CONTRAST requests batch together whatever their classes ({@code k} = 0 for them).
 */
record BatchKey(String method, TargetKind kind, long k) {
    static BatchKey of(String method, Target target) {
        return switch (target.kind()) {
            case TOP1 -> new BatchKey(method, TargetKind.TOPK, 1);
            case TOPK -> new BatchKey(method, TargetKind.TOPK, target.value());
            case CLASS -> new BatchKey(method, TargetKind.CLASS, 0);
            case CONTRAST -> new BatchKey(method, TargetKind.CONTRAST, 0);
        };
    }

    /** The engine's score functions for a batch of requests that share this key, one per request (all logits). */
    Targets targets(List<Target> perRequest) {
        return switch (kind) {
            case TOP1, TOPK -> new Targets.TopK((int) k);
            case CLASS -> new Targets.Classes(perRequest.stream().mapToInt(t -> (int) t.value()).toArray());
            case CONTRAST -> {
                List<io.camstream.explain.Target> scores = new ArrayList<>(perRequest.size());
                for (Target t : perRequest) {
                    scores.add(io.camstream.explain.Target.contrast(t.contrastA(), t.contrastB(), io.camstream.explain.Target.Score.LOGIT));
                }
                yield new Targets.Scores(scores);
            }
        };
    }
}
