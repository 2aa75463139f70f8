package io.camstream.explain;

import io.camstream.model.Tensors;
import io.camstream.tensor.FloatTensor;
import org.bytedeco.pytorch.Tensor;

/** The scalar that one backward pass differentiates: the explained logits of one target rank, summed over inputs. */
final class TargetScore {
    private TargetScore() {
    }

    /**
     * {@code sum_i logits[i, classes[i][rank]]} over the inputs that have a target of that rank. Inputs of a batch are
     * independent in eval mode, so one backward of this sum gives every input its own gradient.
     */
    static Tensor of(Tensor logits, int[][] classes, int rank) {
        int n = classes.length;
        int k = (int) logits.size(1);
        float[] selector = new float[n * k];
        for (int i = 0; i < n; i++) {
            if (classes[i].length > rank) selector[i * k + classes[i][rank]] = 1f;
        }
        Tensor sel = Tensors.toTorch(new FloatTensor(selector, n, k)).to(logits.device(), logits.scalar_type());
        return logits.mul(sel).sum();
    }
}
