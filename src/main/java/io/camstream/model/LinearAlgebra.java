package io.camstream.model;

import io.camstream.tensor.FloatTensor;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.StringViewOptional;
import org.bytedeco.pytorch.T_TensorTensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Dense linear algebra on Java arrays through libtorch, so that callers outside {@code model/} need no tensors. */
public final class LinearAlgebra {
    private LinearAlgebra() {
    }

    /**
     * The first right-singular vector of a {@code (rows, cols)} matrix: libtorch's SVD (LAPACK {@code gesdd}, full
     * matrices, float32, as numpy's), so its sign is LAPACK's choice.
     */
    public static float[] firstRightSingularVector(FloatTensor matrix) {
        try (PointerScope scope = new PointerScope()) {
            Tensor x = Tensors.toTorch(matrix);
            T_TensorTensorTensor_T usv = torch.linalg_svd(x, true, new StringViewOptional());
            return Tensors.toJava(usv.get2().select(0, 0)).data();
        }
    }
}
