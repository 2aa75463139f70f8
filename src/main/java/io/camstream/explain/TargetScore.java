package io.camstream.explain;

import io.camstream.model.Tensors;
import io.camstream.tensor.FloatTensor;
import org.bytedeco.pytorch.Tensor;

/** The scalar that one backward pass differentiates: the explained scores of one target rank, summed over inputs. */
final class TargetScore {
    private TargetScore() {
    }

    /**
     * {@code sum_i score_i(outputs[i])} for {@code targets[i][rank]} over the inputs that have a target of that rank:
     * {@code sum(logits * W_logit) + sum(softmax(logits) * W_prob)}. Inputs of a batch are independent in eval mode,
     * so one backward of this sum gives every input its own gradient.
     */
    static Tensor of(Tensor logits, Target[][] targets, int rank) {
        int n = targets.length;
        int k = (int) logits.size(1);
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
        Tensor score = null;
        if (anyLogit || !anyProb) score = logits.mul(selector(onLogits, n, k, logits)).sum();
        if (anyProb) {
            Tensor p = logits.softmax(1).mul(selector(onProbs, n, k, logits)).sum();
            score = score == null ? p : score.add(p);
        }
        return score;
    }

    private static Tensor selector(float[] weights, int n, int k, Tensor like) {
        return Tensors.toTorch(new FloatTensor(weights, n, k)).to(like.device(), like.scalar_type());
    }
}
