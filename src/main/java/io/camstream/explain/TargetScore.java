package io.camstream.explain;

import io.camstream.model.ScoreWeights;
import io.camstream.tensor.FloatTensor;

import java.util.ArrayList;
import java.util.List;

/** What each backward pass differentiates: the explained scores of one target rank, summed over inputs. */
final class TargetScore {
    private TargetScore() {
    }

    /** One {@link ScoreWeights} per target rank, in rank order. */
    static List<ScoreWeights> perRank(Target[][] targets, int ranks, int numClasses) {
        List<ScoreWeights> out = new ArrayList<>();
        for (int r = 0; r < ranks; r++) out.add(of(targets, r, numClasses));
        return List.copyOf(out);
    }

    /**
     * {@code sum_i score_i(outputs[i])} for {@code targets[i][rank]} over the inputs that have a target of that rank,
     * as weights on the logits and on the softmax probabilities.
     */
    static ScoreWeights of(Target[][] targets, int rank, int numClasses) {
        int n = targets.length;
        int k = numClasses;
        float[] onLogits = new float[n * k];
        float[] onProbs = new float[n * k];
        boolean anyLogit = false;
        boolean anyProb = false;
        for (int i = 0; i < n; i++) {
            if (targets[i].length <= rank) continue;
            Target t = targets[i][rank];
            boolean prob = t.score() == Target.Score.PROBABILITY;
            float[] w = prob ? onProbs : onLogits;
            anyProb |= prob;
            anyLogit |= !prob;
            for (int j = 0; j < t.classes().length; j++) w[i * k + t.classes()[j]] = t.weights()[j];
        }
        return new ScoreWeights(anyLogit || !anyProb ? new FloatTensor(onLogits, n, k) : null, anyProb ? new FloatTensor(onProbs, n, k) : null);
    }
}
