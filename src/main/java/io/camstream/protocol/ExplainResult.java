package io.camstream.protocol;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The answer to one EXPLAIN: predictions, one map per explained class, and where the time went.
 *
 * @param queueMicros   from reading the request to the start of its batch
 * @param computeMicros the batch's compute time
 */
public record ExplainResult(long requestId, long streamId, long frameNumber, long queueMicros, long computeMicros,
                            int batchSize, List<Prediction> predictions, List<Heatmap> maps) implements Message {
    public ExplainResult {
        Wire.checkU32(requestId, "requestId");
        Wire.checkU32(streamId, "streamId");
        Wire.checkU32(queueMicros, "queueMicros");
        Wire.checkU32(computeMicros, "computeMicros");
        Wire.checkU16(batchSize, "batchSize");
        predictions = List.copyOf(predictions);
        maps = List.copyOf(maps);
        Wire.checkU8(predictions.size(), "prediction count");
        Wire.checkU8(maps.size(), "map count");
    }

    @Override
    public Opcode opcode() {
        return Opcode.RESULT;
    }

    /** One ranked class. */
    public record Prediction(long classIndex, float probability, String label) {
        public Prediction {
            Wire.checkU32(classIndex, "classIndex");
            Objects.requireNonNull(label, "label");
        }

        @Override
        public boolean equals(Object o) {
            // bitwise on the float, so that NaN round-trips compare equal
            return o instanceof Prediction p && classIndex == p.classIndex && Float.floatToIntBits(probability) == Float.floatToIntBits(p.probability)
                    && label.equals(p.label);
        }

        @Override
        public int hashCode() {
            return Objects.hash(classIndex, Float.floatToIntBits(probability), label);
        }
    }

    /** The map for one explained class, in the requested form. The data is not copied. */
    public record Heatmap(long classIndex, float probability, ResultForm form, int height, int width, byte[] data) {
        public Heatmap {
            Wire.checkU32(classIndex, "classIndex");
            Objects.requireNonNull(form, "form");
            Wire.checkU16(height, "map height");
            Wire.checkU16(width, "map width");
            Objects.requireNonNull(data, "data");
        }

        /** The map as values in [0, 1]: FLOAT32 as sent, UINT8 divided by 255. */
        public float[] values() {
            return switch (form) {
                case FLOAT32 -> Floats.fromBytes(data);
                case UINT8 -> {
                    float[] v = new float[data.length];
                    for (int i = 0; i < v.length; i++) v[i] = (data[i] & 0xff) / 255f;
                    yield v;
                }
                case JPEG_OVERLAY -> throw new IllegalStateException("a JPEG overlay has no map values; decode it as an image");
            };
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Heatmap m && classIndex == m.classIndex && Float.floatToIntBits(probability) == Float.floatToIntBits(m.probability)
                    && form == m.form && height == m.height && width == m.width && Arrays.equals(data, m.data);
        }

        @Override
        public int hashCode() {
            return Objects.hash(classIndex, Float.floatToIntBits(probability), form, height, width, Arrays.hashCode(data));
        }

        @Override
        public String toString() {
            return "Heatmap[class=" + classIndex + ", p=" + probability + ", " + form + " " + height + "x" + width + ", " + data.length + " bytes]";
        }
    }
}
