package io.camstream.server;

import io.camstream.protocol.Target;
import io.camstream.protocol.TargetKind;

/**
 * Requests that can share one batch: the same method and the same kind of target. TOP1 is TOPK with k = 1;
 * CLASS requests batch together whatever their class ({@code k} = 0 for them).
 */
record BatchKey(String method, TargetKind kind, long k) {
    static BatchKey of(String method, Target target) {
        return switch (target.kind()) {
            case TOP1 -> new BatchKey(method, TargetKind.TOPK, 1);
            case TOPK -> new BatchKey(method, TargetKind.TOPK, target.value());
            case CLASS -> new BatchKey(method, TargetKind.CLASS, 0);
        };
    }
}
