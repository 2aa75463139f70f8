package io.camstream.cli;

import io.camstream.explain.Labels;
import io.camstream.image.Images;
import io.camstream.image.Preprocessing;
import io.camstream.model.TorchModel;
import io.camstream.visualize.ClassModelVisualizer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_NEAREST;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

@Command(name = "visualize", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Class-model visualisation (DeepVis): gradient ascent on the input, from seeded noise, that maximises one class's "
                + "log-softmax (or, with --objective logit, its logit), with L2 decay, periodic Gaussian blur and random jitter. Writes a PNG (denormalised with the model's mean/std)."})
final class VisualizeCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--target", required = true, paramLabel = "C", description = "Class index to visualise.")
    int target;

    @Option(names = "--output", paramLabel = "FILE", description = "PNG to write. Default: out/visualize/class_<C>.png.")
    Path output;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "200", description = "Gradient-ascent steps. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--lr", paramLabel = "R", defaultValue = "0.05", description = "Step size, relative to the gradient's mean |value|. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--l2", paramLabel = "D", defaultValue = "0.001", description = "L2 decay per step (x *= 1 - D). Default: ${DEFAULT-VALUE}.")
    double l2;

    @Option(names = "--blur-every", paramLabel = "N", defaultValue = "4", description = "Gaussian blur every N steps (0: never). Default: ${DEFAULT-VALUE}.")
    int blurEvery;

    @Option(names = "--blur-sigma", paramLabel = "S", defaultValue = "0.5", description = "Blur sigma in pixels. Default: ${DEFAULT-VALUE}.")
    double blurSigma;

    @Option(names = "--jitter", paramLabel = "PX", defaultValue = "4", description = "Random shift of up to PX pixels per step. Default: ${DEFAULT-VALUE}.")
    int jitter;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed of the starting noise and the jitter. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--objective", paramLabel = "logit|log-softmax", defaultValue = "log-softmax",
            description = "Maximise the class's logit, or its log-softmax (also lowers the other classes). Default: ${DEFAULT-VALUE}.")
    String objective;

    @Option(names = "--scale", paramLabel = "K", defaultValue = "1", description = "Also enlarge the PNG K times (nearest neighbour). Default: ${DEFAULT-VALUE}.")
    int scale;

    @Override
    public Integer call() throws Exception {
        model.applyThreads();
        if (scale < 1) throw new io.camstream.InvalidInputException("--scale must be at least 1, got " + scale);
        Preprocessing prep = model.preprocessing();
        Labels labels = model.labels();
        ClassModelVisualizer.Settings settings = new ClassModelVisualizer.Settings(steps, lr, l2, blurEvery, blurSigma, jitter, seed,
                ClassModelVisualizer.Objective.parse(objective));
        Path file = output != null ? output : Path.of("out", "visualize", "class_" + target + ".png");
        if (!file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) throw new io.camstream.InvalidInputException("--output must be a .png file, got " + file);
        OutputPaths.requireFile(file, "--output");
        try (TorchModel m = model.load()) {
            ClassModelVisualizer.Result r = new ClassModelVisualizer(m, prep, settings).run(target, p ->
                    System.err.printf(Locale.ROOT, "visualize: step %d/%d  logit %.3f  p(%s) %.3f%n", p.step(), steps, p.logit(), labels.of(target), p.probability()));
            byte[] bgr = ClassModelVisualizer.toBgr(r.image(), prep);
            try (Mat img = new Mat(prep.height(), prep.width(), CV_8UC3, new BytePointer(bgr)); Mat big = new Mat()) {
                if (scale > 1) {
                    resize(img, big, new Size(prep.width() * scale, prep.height() * scale), 0, 0, INTER_NEAREST);
                    Images.writePng(file, big);
                } else {
                    Images.writePng(file, img);
                }
            }
            System.out.printf(Locale.ROOT, "class %d (%s): logit %.3f on the starting noise, %.3f on the result; wrote %s%n", target, labels.of(target),
                    r.startLogits()[target], r.finalLogits()[target], file);
        }
        return 0;
    }
}
