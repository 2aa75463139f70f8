package io.camstream.server;

/** Events per second over the last few whole seconds (a ring of per-second counts), for the fps gauge. */
final class RateMeter {
    private static final long SECOND = 1_000_000_000L;
    private final int windowSeconds;
    private final long[] counts;
    private final long[] secondOf;

    RateMeter(int windowSeconds) {
        this.windowSeconds = windowSeconds;
        this.counts = new long[windowSeconds + 1];
        this.secondOf = new long[windowSeconds + 1];
    }

    synchronized void mark(long nowNanos) {
        long s = Math.floorDiv(nowNanos, SECOND);
        int slot = (int) Math.floorMod(s, (long) counts.length);
        if (secondOf[slot] != s) {
            secondOf[slot] = s;
            counts[slot] = 0;
        }
        counts[slot]++;
    }

    /** Mean rate over the last {@code windowSeconds} complete seconds (the current, partial one is left out). */
    synchronized double perSecond(long nowNanos) {
        long current = Math.floorDiv(nowNanos, SECOND);
        long total = 0;
        for (int i = 0; i < counts.length; i++) {
            long age = current - secondOf[i];
            if (age >= 1 && age <= windowSeconds) total += counts[i];
        }
        return (double) total / windowSeconds;
    }
}
