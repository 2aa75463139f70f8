package io.camstream.model;

import io.camstream.InvalidInputException;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TupleElements;

import java.util.ArrayList;
import java.util.List;

/**
 * Which of a model's outputs holds the logits, for a forward that returns a tuple, a named tuple, a list or a dict
 * (scripted torchvision GoogLeNet and Inception-v3 return named tuples): the element named {@code name} (a named
 * tuple's field or a dict's key), the element at an index, or by default the first tensor.
 *
 * @param asked a name, a 0-based index, or null for the first tensor
 */
public record ModelOutput(String asked) {
    public static final ModelOutput FIRST_TENSOR = new ModelOutput(null);

    /** {@code NAME}, {@code INDEX}, or null / blank for the first tensor. */
    public static ModelOutput parse(String text) {
        return text == null || text.isBlank() ? FIRST_TENSOR : new ModelOutput(text.strip());
    }

    private Integer index() {
        if (asked == null) return null;
        try {
            return Integer.parseInt(asked);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * The logits among {@code out}; the caller scopes the tensor.
     *
     * @param fieldNames a named tuple's field names in order (empty for a plain tuple)
     * @throws ModelLoadException when the chosen element is missing or not a tensor
     */
    Tensor pick(IValue out, List<String> fieldNames) {
        if (out.isTensor()) {
            if (asked != null && !asked.equals("0")) {
                throw new InvalidInputException("the model's forward returns one tensor, so --model-output " + asked + " does not exist (leave it out)");
            }
            return out.toTensor();
        }
        List<String> keys = new ArrayList<>();
        List<IValue> values = new ArrayList<>();
        String kind;
        if (out.isTuple()) {
            TupleElements e = out.toTuple().elements();
            for (long i = 0; i < e.size(); i++) values.add(e.get(i));
            keys.addAll(fieldNames.size() == values.size() ? fieldNames : List.of());
            kind = keys.isEmpty() ? "a tuple" : "a named tuple " + keys;
        } else if (out.isList()) {
            var list = out.toList();
            for (long i = 0; i < list.size(); i++) values.add(list.get(i));
            kind = "a list";
        } else if (out.isGenericDict()) {
            var dict = out.toGenericDict();
            var it = dict.begin();
            for (long i = 0, n = dict.size(); i < n; i++, it.increment()) {
                IValue k = it.access().key();
                keys.add(k.isString() ? k.toStringRef().getString() : k.tagKind().getString());
                values.add(it.access().value());
            }
            kind = "a dict with keys " + keys;
        } else {
            throw new ModelLoadException("the model's forward returns " + out.tagKind().getString() + "; camstream needs logits: a tensor, or a tuple, list or dict holding one");
        }
        int at;
        if (asked == null) {
            at = -1;
            for (int i = 0; i < values.size() && at < 0; i++) if (values.get(i).isTensor()) at = i;
            if (at < 0) throw new ModelLoadException("the model's forward returns " + kind + " with no tensor in it, so there are no logits to explain");
        } else if (index() != null) {
            at = index();
            if (at < 0 || at >= values.size()) {
                throw new InvalidInputException("--model-output " + asked + " is out of range: the model's forward returns " + kind + " of " + values.size() + " elements");
            }
        } else {
            at = keys.indexOf(asked);
            if (at < 0) throw new InvalidInputException("--model-output " + asked + " is not among the model's outputs: its forward returns " + kind);
        }
        if (!values.get(at).isTensor()) {
            throw new InvalidInputException("the model's output " + (keys.isEmpty() ? "#" + at : "'" + keys.get(at) + "'") + " is "
                    + values.get(at).tagKind().getString() + ", not a logits tensor; choose another with --model-output");
        }
        return values.get(at).toTensor();
    }

    @Override
    public String toString() {
        return asked == null ? "the first tensor" : "'" + asked + "'";
    }
}
