package io.camstream.model;

import io.camstream.tensor.FloatTensor;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Copies between Java arrays and libtorch tensors. Call inside a {@code PointerScope}. */
public final class Tensors {
    private Tensors() {
    }

    /** A CPU float32 tensor over a native copy of {@code t}'s data (alive as long as the enclosing scope). */
    public static Tensor toTorch(FloatTensor t) {
        FloatPointer buf = new FloatPointer(t.data());
        int[] s = t.shape();
        long[] shape = new long[s.length];
        for (int i = 0; i < s.length; i++) shape[i] = s[i];
        return torch.from_blob(buf, shape);
    }

    public static int[] shape(Tensor t) {
        long[] s = t.sizes().vec().get();
        int[] out = new int[s.length];
        for (int i = 0; i < s.length; i++) out[i] = Math.toIntExact(s[i]);
        return out;
    }

    /** Copies any tensor (any device, dtype or layout) into a Java float32 array. */
    public static FloatTensor toJava(Tensor t) {
        Tensor c = t.detach();
        if (c.is_cuda()) c = c.cpu();
        if (c.scalar_type() != torch.ScalarType.Float) c = c.to(torch.ScalarType.Float);
        c = c.contiguous();
        float[] data = new float[Math.toIntExact(c.numel())];
        c.data_ptr_float().get(data);
        return new FloatTensor(data, shape(c));
    }
}
