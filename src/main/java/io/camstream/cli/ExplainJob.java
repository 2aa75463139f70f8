package io.camstream.cli;

import io.camstream.explain.ExplanationBatch;
import io.camstream.explain.Explainer;
import io.camstream.explain.Targets;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/** Explains every input in batches, reporting progress, and writes the output folder. */
final class ExplainJob {
    private final Explainer explainer;
    private final ExplainInputs inputs;
    private final ExplanationWriter writer;
    private final int batchSize;
    private final PrintStream progress;

    ExplainJob(Explainer explainer, ExplainInputs inputs, ExplanationWriter writer, int batchSize, PrintStream progress) {
        if (batchSize < 1) throw new io.camstream.InvalidInputException("--batch-size must be at least 1, got " + batchSize);
        this.explainer = explainer;
        this.inputs = inputs;
        this.writer = writer;
        this.batchSize = batchSize;
        this.progress = progress;
    }

    /**
     * @param targets per-input target lists ({@code Classes} with one entry per input) are sliced to each batch
     */
    List<Path> run(Targets targets) throws IOException {
        int total = inputs.count();
        int count = targets.perInputCount();
        if (count > 1 && count != total) {
            throw new io.camstream.InvalidInputException("got " + count + " targets for " + total + " inputs; give one for all or one per input");
        }
        long start = System.nanoTime();
        for (int from = 0; from < total; from += batchSize) {
            int to = Math.min(total, from + batchSize);
            ExplainInputs.Batch batch = inputs.batch(from, to);
            if (!batch.isEmpty()) {
                ExplanationBatch result = explainer.explain(batch.tensor(), targets.select(batch.indices()));
                writer.add(batch, result);
                if (batch.hasImages()) batch.originals().forEach(org.bytedeco.opencv.opencv_core.Mat::close);
            }
            if (total > batchSize) {
                double s = (System.nanoTime() - start) / 1e9;
                progress.printf("\rexplained %d/%d inputs (%.1f s)", to, total, s);
                if (to == total) progress.println();
            }
        }
        if (inputs.skipped().size() == total) throw new io.camstream.InvalidInputException("none of the " + total + " input(s) could be read");
        return writer.finish();
    }
}
