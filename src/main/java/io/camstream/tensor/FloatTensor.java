package io.camstream.tensor;

import java.util.Arrays;

/**
 * A dense float32 array in C order with its shape: how results leave native scopes. Immutable by convention:
 * {@link #data()} is exposed for speed, callers must not change it after construction.
 */
public final class FloatTensor {
    private final float[] data;
    private final int[] shape;

    public FloatTensor(float[] data, int... shape) {
        long n = numel(shape);
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
        }
        this.data = data;
        this.shape = shape.clone();
    }

    public static FloatTensor zeros(int... shape) {
        return new FloatTensor(new float[Math.toIntExact(numel(shape))], shape);
    }

    public static long numel(int... shape) {
        long n = 1;
        for (int s : shape) {
            if (s < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            n *= s;
        }
        return n;
    }

    public float[] data() {
        return data;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int i) {
        return shape[i];
    }

    public int numel() {
        return data.length;
    }

    /** Elements per index of the leading dimension. */
    public int stride0() {
        return shape.length == 0 ? 1 : (shape[0] == 0 ? 0 : data.length / shape[0]);
    }

    /** A copy of rows [from, to) of the leading dimension. */
    public FloatTensor rows(int from, int to) {
        int s = stride0();
        int[] sh = shape.clone();
        sh[0] = to - from;
        return new FloatTensor(Arrays.copyOfRange(data, from * s, to * s), sh);
    }

    /** Concatenates tensors along the leading dimension; trailing dimensions must agree. */
    public static FloatTensor concat(java.util.List<FloatTensor> parts) {
        if (parts.isEmpty()) throw new IllegalArgumentException("nothing to concatenate");
        int[] tail = Arrays.copyOfRange(parts.get(0).shape, 1, parts.get(0).shape.length);
        int rows = 0;
        int total = 0;
        for (FloatTensor p : parts) {
            if (!Arrays.equals(tail, Arrays.copyOfRange(p.shape, 1, p.shape.length))) {
                throw new IllegalArgumentException("cannot concatenate shapes " + Arrays.toString(parts.get(0).shape) + " and " + Arrays.toString(p.shape));
            }
            rows += p.shape[0];
            total += p.data.length;
        }
        float[] out = new float[total];
        int at = 0;
        for (FloatTensor p : parts) {
            System.arraycopy(p.data, 0, out, at, p.data.length);
            at += p.data.length;
        }
        int[] sh = parts.get(0).shape.clone();
        sh[0] = rows;
        return new FloatTensor(out, sh);
    }

    @Override
    public String toString() {
        return "FloatTensor" + Arrays.toString(shape);
    }
}
