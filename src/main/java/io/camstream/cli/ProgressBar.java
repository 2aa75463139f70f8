package io.camstream.cli;

import java.io.PrintStream;
import java.util.Locale;

/** One status line on a terminal stream, redrawn at most five times a second. */
final class ProgressBar {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private final int total;
    private final long start = System.nanoTime();
    private long lastDraw;

    /** @param total frames expected, or -1 when unknown */
    ProgressBar(PrintStream out, int total) {
        this.out = out;
        this.total = total;
    }

    void update(int done, int failed) {
        long now = System.nanoTime();
        if (now - lastDraw < 200_000_000L && done != total) return;
        lastDraw = now;
        draw(done, failed, now);
    }

    void finish(int done, int failed) {
        draw(done, failed, System.nanoTime());
        out.println();
    }

    private void draw(int done, int failed, long now) {
        double fps = done / Math.max(1e-9, (now - start) / 1e9);
        String bar = "";
        if (total > 0) {
            int filled = (int) Math.min(WIDTH, (long) WIDTH * done / total);
            bar = "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] ";
        }
        out.printf(Locale.ROOT, "\r%s%d%s frames  %.1f fps%s", bar, done, total > 0 ? "/" + total : "", fps, failed > 0 ? "  failed " + failed : "");
        out.flush();
    }
}
