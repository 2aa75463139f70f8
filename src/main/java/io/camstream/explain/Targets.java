package io.camstream.explain;

import io.camstream.InvalidInputException;

import java.util.Arrays;

/** Which classes to explain for each input of a batch. */
public sealed interface Targets {
    /** The K highest-scoring classes of each input (K = 1: the prediction). */
    record TopK(int k) implements Targets {
        public TopK {
            if (k < 1) throw new InvalidInputException("--topk must be at least 1, got " + k);
        }
    }

    /** One class for all inputs (length 1) or one class per input. */
    record Classes(int[] classes) implements Targets {
        public Classes {
            if (classes.length == 0) throw new InvalidInputException("no target class given");
            classes = classes.clone();
        }

        @Override
        public String toString() {
            return "Classes" + Arrays.toString(classes);
        }
    }

    static Targets top1() {
        return new TopK(1);
    }

    /** Parses {@code "3"} or {@code "3,7,1"}. */
    static Targets parse(String text) {
        try {
            return new Classes(Arrays.stream(text.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("--target must be a class index or a comma-separated list of them, got '" + text + "'");
        }
    }

    /**
     * The class indices to explain, per input and rank.
     *
     * @param logits (N, K) scores
     */
    default int[][] resolve(float[] logits, int n, int numClasses) {
        int[][] out = new int[n][];
        if (this instanceof TopK t) {
            if (t.k() > numClasses) throw new InvalidInputException("--topk " + t.k() + " exceeds the model's " + numClasses + " classes");
            for (int i = 0; i < n; i++) out[i] = Ranking.topK(logits, i * numClasses, numClasses, t.k());
        } else {
            int[] c = ((Classes) this).classes();
            if (c.length != 1 && c.length != n) {
                throw new InvalidInputException("got " + c.length + " target classes for " + n + " inputs; give one for all or one per input");
            }
            for (int i = 0; i < n; i++) {
                int cls = c.length == 1 ? c[0] : c[i];
                if (cls < 0 || cls >= numClasses) {
                    throw new InvalidInputException("target class " + cls + " is out of range: the model has " + numClasses + " classes (0.." + (numClasses - 1) + ")");
                }
                out[i] = new int[]{cls};
            }
        }
        return out;
    }
}
