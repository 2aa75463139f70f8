package io.camstream.postprocess.cuda;

import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.pytorch.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Kernel parameters in {@code cuLaunchKernel}'s form: an array of pointers, entry i pointing at the value of parameter
 * i. Each value lives in its own small native buffer (freed with the enclosing {@code PointerScope}); the driver
 * copies the values at launch, so the buffers may go as soon as the launch call returns. The order and the C types
 * must match the kernel's signature exactly (pointer: 8 bytes, int: 4, long long: 8).
 */
final class KernelArgs {
    private final List<Pointer> values = new ArrayList<>();
    private final StringBuilder signature = new StringBuilder();

    /** A device pointer: the tensor's data address, or null. */
    KernelArgs ptr(Tensor t) {
        return address(t == null ? 0L : t.data_ptr().address());
    }

    KernelArgs address(long deviceAddress) {
        values.add(new LongPointer(1).put(deviceAddress));
        signature.append('p');
        return this;
    }

    KernelArgs i32(int v) {
        values.add(new IntPointer(1).put(v));
        signature.append('i');
        return this;
    }

    KernelArgs i64(long v) {
        values.add(new LongPointer(1).put(v));
        signature.append('l');
        return this;
    }

    /** One letter per parameter: p pointer, i int, l long long (checked against the kernels in tests). */
    String signature() {
        return signature.toString();
    }

    int size() {
        return values.size();
    }

    PointerPointer<Pointer> pack() {
        PointerPointer<Pointer> pp = new PointerPointer<>(values.size());
        for (int i = 0; i < values.size(); i++) pp.put(i, values.get(i));
        return pp;
    }
}
