package io.camstream.model;

import io.camstream.tensor.FloatTensor;
import org.bytedeco.pytorch.Tensor;

/**
 * What one backward differentiates, as plain data: {@code sum(logits * onLogits) + sum(softmax(logits) * onProbs)},
 * both {@code (N, classes)}. Inputs of a batch are independent in eval mode, so one backward of this sum gives every
 * input its own gradient; a row of zeros leaves that input out.
 *
 * @param onLogits null when every input is scored by probability
 * @param onProbs  null when no input is scored by probability
 */
public record ScoreWeights(FloatTensor onLogits, FloatTensor onProbs) {
    public ScoreWeights {
        if (onLogits == null && onProbs == null) throw new IllegalArgumentException("a score needs weights on the logits or on the probabilities");
    }

    /** The scalar to differentiate, on {@code logits}' device and in its precision. Call inside a {@code PointerScope}. */
    Tensor of(Tensor logits) {
        Tensor byLogit = onLogits == null ? null : logits.mul(on(onLogits, logits)).sum();
        if (onProbs == null) return byLogit;
        Tensor byProb = logits.softmax(1).mul(on(onProbs, logits)).sum();
        return byLogit == null ? byProb : byLogit.add(byProb);
    }

    private static Tensor on(FloatTensor weights, Tensor like) {
        return Tensors.toTorch(weights).to(like.device(), like.scalar_type());
    }
}
