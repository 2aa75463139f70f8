package io.camstream.model;

import org.bytedeco.pytorch.global.torch;

/** libtorch's intra-op thread pool, set from the CLI without it touching libtorch. */
public final class Threads {
    private Threads() {
    }

    public static void set(int threads) {
        torch.set_num_threads(threads);
    }
}
