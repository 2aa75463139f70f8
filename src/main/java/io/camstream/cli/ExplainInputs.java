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
    /**
     * One batch: the network input, and for image inputs the originals, their output names and paths.
     * {@code indices} are the inputs' positions in the whole run (inputs skipped as unreadable are missing).
     */
    record Batch(FloatTensor tensor, List<Mat> originals, List<String> names, List<Path> paths, List<Preprocessing.Region> regions, int[] indices) {
        boolean hasImages() {
            return originals != null;
        }

        boolean isEmpty() {
            return names.isEmpty();
        }
    }

    /** An image input that could not be read, with why. */
    record Skipped(Path path, String reason) {
    }

    private final List<Path> images;
    /** Output names of the images: their stems, made unique (cat, cat_2, ...) so that no output overwrites another. */
    private final List<String> names;
    private final List<Skipped> skipped = new ArrayList<>();
    private boolean skipBad;
    private final FloatTensor tensor;
    private final String tensorName;
    private final ImagePreprocessor preprocessor;

    private ExplainInputs(List<Path> images, FloatTensor tensor, String tensorName, ImagePreprocessor preprocessor) {
        this.images = images;
        this.names = images == null ? null : uniqueStems(images);
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

    /** Unreadable images are left out of their batch (and listed by {@link #skipped()}) instead of failing the run. */
    ExplainInputs skipBadInputs() {
        skipBad = true;
        return this;
    }

    List<Skipped> skipped() {
        return List.copyOf(skipped);
    }

    /** The name of input {@code i} (file stem, made unique, or the tensor's stem and index). */
    String name(int i) {
        return images != null ? names.get(i) : tensorName + "_" + i;
    }

    int count() {
        return images != null ? images.size() : tensor.dim(0);
    }

    Batch batch(int from, int to) {
        if (tensor != null) {
            List<String> batchNames = new ArrayList<>();
            for (int i = from; i < to; i++) batchNames.add(tensorName + "_" + i);
            return new Batch(tensor.rows(from, to), null, batchNames, null, null, java.util.stream.IntStream.range(from, to).toArray());
        }
        List<Mat> originals = new ArrayList<>();
        List<String> batchNames = new ArrayList<>();
        List<Path> paths = new ArrayList<>();
        List<Preprocessing.Region> regions = new ArrayList<>();
        List<Integer> indices = new ArrayList<>();
        for (int i = from; i < to; i++) {
            Path p = images.get(i);
            Mat m;
            try {
                m = Images.read(p);
            } catch (InvalidInputException e) {
                if (!skipBad) throw e;
                skipped.add(new Skipped(p, e.getMessage()));
                continue;
            }
            originals.add(m);
            batchNames.add(names.get(i));
            paths.add(p);
            indices.add(i);
            regions.add(preprocessor.config().regionIn(m.cols(), m.rows()));
        }
        FloatTensor t = originals.isEmpty() ? null : preprocessor.toTensor(originals);
        return new Batch(t, originals, batchNames, paths, regions, indices.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Stems in input order; a stem already taken gets _2, _3, ... (the first keeps its plain name). */
    static List<String> uniqueStems(List<Path> files) {
        java.util.Set<String> taken = new java.util.HashSet<>();
        for (Path p : files) taken.add(stem(p));
        java.util.Set<String> used = new java.util.HashSet<>();
        List<String> out = new ArrayList<>();
        for (Path p : files) {
            String s = stem(p);
            String name = s;
            for (int k = 2; used.contains(name) || (!name.equals(s) && taken.contains(name)); k++) name = s + "_" + k;
            used.add(name);
            out.add(name);
        }
        return out;
    }

    private static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
