package io.camstream.cli;

import io.camstream.InvalidInputException;
import io.camstream.image.ImagePreprocessor;
import io.camstream.image.Images;
import io.camstream.image.Preprocessing;
import io.camstream.tensor.FloatTensor;
import io.camstream.tensor.Npy;
import org.bytedeco.opencv.opencv_core.Mat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The inputs of an explain run, served in batches: image files (decoded, preprocessed, originals kept for overlays)
 * or one {@code .npy} float32 NCHW tensor fed to the model as is.
 */
final class ExplainInputs {
    /** One batch: the network input, and for image inputs the originals and their names. */
    record Batch(FloatTensor tensor, List<Mat> originals, List<String> names, List<Preprocessing.Region> regions) {
        boolean hasImages() {
            return originals != null;
        }
    }

    private final List<Path> images;
    private final FloatTensor tensor;
    private final String tensorName;
    private final ImagePreprocessor preprocessor;

    private ExplainInputs(List<Path> images, FloatTensor tensor, String tensorName, ImagePreprocessor preprocessor) {
        this.images = images;
        this.tensor = tensor;
        this.tensorName = tensorName;
        this.preprocessor = preprocessor;
    }

    static ExplainInputs of(List<Path> inputs, Preprocessing preprocessing) {
        if (inputs == null || inputs.isEmpty()) throw new InvalidInputException("no input given: pass --input FILE|DIR (images or one .npy tensor)");
        boolean npy = inputs.stream().anyMatch(p -> p.toString().endsWith(".npy"));
        if (npy) {
            if (inputs.size() != 1) throw new InvalidInputException("a .npy input must be the only input (got " + inputs.size() + " inputs)");
            FloatTensor t = Npy.readFloat(inputs.get(0));
            if (t.rank() != 4) {
                throw new InvalidInputException(inputs.get(0) + ": expected a float32 (N, C, H, W) tensor, got shape " + java.util.Arrays.toString(t.shape()));
            }
            return new ExplainInputs(null, t, stem(inputs.get(0)), null);
        }
        return new ExplainInputs(Images.expand(inputs), null, null, new ImagePreprocessor(preprocessing));
    }

    /** The name of input {@code i} (file stem, or the tensor's stem and index). */
    String name(int i) {
        return images != null ? stem(images.get(i)) : tensorName + "_" + i;
    }

    int count() {
        return images != null ? images.size() : tensor.dim(0);
    }

    Batch batch(int from, int to) {
        if (tensor != null) {
            List<String> names = new ArrayList<>();
            for (int i = from; i < to; i++) names.add(tensorName + "_" + i);
            return new Batch(tensor.rows(from, to), null, names, null);
        }
        List<Mat> originals = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Preprocessing.Region> regions = new ArrayList<>();
        for (Path p : images.subList(from, to)) {
            Mat m = Images.read(p);
            originals.add(m);
            names.add(stem(p));
            regions.add(preprocessor.config().regionIn(m.cols(), m.rows()));
        }
        return new Batch(preprocessor.toTensor(originals), originals, names, regions);
    }

    private static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
