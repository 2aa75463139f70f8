package io.camstream.explain;

import io.camstream.InvalidInputException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Which score functions ({@link Target}) to explain for each input of a batch. */
public sealed interface Targets {
    /** The K highest-scoring classes of each input (K = 1: the prediction), each as a one-class score. */
    record TopK(int k, Target.Score score) implements Targets {
        public TopK {
            if (k < 1) throw new InvalidInputException("--topk must be at least 1, got " + k);
        }

        public TopK(int k) {
            this(k, Target.Score.LOGIT);
        }
    }

    /** One class for all inputs (length 1) or one class per input. */
    record Classes(int[] classes, Target.Score score) implements Targets {
        public Classes {
            if (classes.length == 0) throw new InvalidInputException("no target class given");
            classes = classes.clone();
        }

        public Classes(int[] classes) {
            this(classes, Target.Score.LOGIT);
        }

        @Override
        public String toString() {
            return "Classes" + Arrays.toString(classes);
        }
    }

    /** One score function for all inputs (length 1) or one per input: contrasts, weighted sets. */
    record Scores(List<Target> targets) implements Targets {
        public Scores {
            if (targets.isEmpty()) throw new InvalidInputException("no target given");
            targets = List.copyOf(targets);
        }
    }

    static Targets top1() {
        return new TopK(1);
    }

    /** How many per-input entries this holds (1 = one for all inputs); 0 for top-k. */
    default int perInputCount() {
        if (this instanceof Classes c) return c.classes().length;
        if (this instanceof Scores s) return s.targets().size();
        return 0;
    }

    /** Entries {@code from..to} of a per-input list; unchanged when it is one for all or top-k. */
    default Targets slice(int from, int to) {
        return select(java.util.stream.IntStream.range(from, to).toArray());
    }

    /** The entries at {@code positions} of a per-input list (inputs left out, e.g. skipped); unchanged when it is one for all or top-k. */
    default Targets select(int[] positions) {
        if (perInputCount() <= 1) return this;
        if (this instanceof Classes c) return new Classes(Arrays.stream(positions).map(i -> c.classes()[i]).toArray(), c.score());
        List<Target> all = ((Scores) this).targets();
        return new Scores(Arrays.stream(positions).mapToObj(all::get).toList());
    }

    /** Parses {@code --target} with logit scores; see {@link #parse(String, Target.Score)}. */
    static Targets parse(String text) {
        return parse(text, Target.Score.LOGIT);
    }

    /**
     * Parses a comma-separated list (one item for all inputs, or one per input) of score expressions: {@code 3} (class
     * 3), {@code 3-7} (class 3 minus class 7), {@code 3+7} or {@code 0.7*3+0.3*7} (a weighted set of classes); a
     * {@code p:} prefix scores that item by probabilities whatever {@code score} says ({@link Target#describe()}'s
     * form). Plain class indices give {@link Classes}.
     */
    static Targets parse(String text, Target.Score score) {
        String[] items = text.split(",", -1);
        List<Target> targets = new ArrayList<>();
        boolean plain = true;
        for (String item : items) {
            String it = item.trim();
            boolean prob = it.startsWith("p:");
            Target t = parseOne(prob ? it.substring(2).trim() : it, prob ? Target.Score.PROBABILITY : score, text);
            targets.add(t);
            plain &= t.classes().length == 1 && t.weights()[0] == 1f && t.score() == score;
        }
        if (plain) return new Classes(targets.stream().mapToInt(Target::primaryClass).toArray(), score);
        return new Scores(targets);
    }

    private static Target parseOne(String item, Target.Score score, String whole) {
        InvalidInputException bad = new InvalidInputException("--target must be a class index (3), a contrast (3-7), a weighted set of classes (3+7 or 0.7*3+0.3*7), "
                + "or a comma-separated list of them (one per input), got '" + whole + "'");
        if (item.isEmpty()) throw bad;
        List<Integer> classes = new ArrayList<>();
        List<Float> weights = new ArrayList<>();
        int pos = 0;
        float sign = 1f;
        if (item.charAt(0) == '-' || item.charAt(0) == '+') {
            sign = item.charAt(0) == '-' ? -1f : 1f;
            pos = 1;
        }
        while (pos < item.length()) {
            int end = pos;
            while (end < item.length() && item.charAt(end) != '+' && item.charAt(end) != '-') end++;
            String term = item.substring(pos, end).trim();
            if (term.isEmpty()) throw bad;
            try {
                int star = term.indexOf('*');
                float w = star < 0 ? 1f : Float.parseFloat(term.substring(0, star).trim());
                classes.add(Integer.parseInt((star < 0 ? term : term.substring(star + 1)).trim()));
                weights.add(sign * w);
            } catch (NumberFormatException e) {
                throw bad;
            }
            if (end == item.length()) break;
            sign = item.charAt(end) == '-' ? -1f : 1f;
            pos = end + 1;
            if (pos == item.length()) throw bad;
        }
        if (classes.isEmpty()) throw bad;
        float[] w = new float[weights.size()];
        for (int i = 0; i < w.length; i++) w[i] = weights.get(i);
        return new Target(classes.stream().mapToInt(Integer::intValue).toArray(), w, score);
    }

    /**
     * The score functions to explain, per input and rank.
     *
     * @param logits (N, K) scores
     */
    default Target[][] resolve(float[] logits, int n, int numClasses) {
        Target[][] out = new Target[n][];
        if (this instanceof TopK t) {
            if (t.k() > numClasses) throw new InvalidInputException("--topk " + t.k() + " exceeds the model's " + numClasses + " classes");
            for (int i = 0; i < n; i++) {
                int[] top = Ranking.topK(logits, i * numClasses, numClasses, t.k());
                out[i] = new Target[top.length];
                for (int r = 0; r < top.length; r++) out[i][r] = Target.of(top[r], t.score());
            }
            return out;
        }
        int count = perInputCount();
        if (count != 1 && count != n) {
            throw new InvalidInputException("got " + count + " targets for " + n + " inputs; give one for all or one per input");
        }
        for (int i = 0; i < n; i++) {
            int j = count == 1 ? 0 : i;
            Target target = this instanceof Classes c ? Target.of(c.classes()[j], c.score()) : ((Scores) this).targets().get(j);
            target.requireClassesBelow(numClasses);
            out[i] = new Target[]{target};
        }
        return out;
    }
}
