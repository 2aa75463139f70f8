package io.camstream.cli;

import io.camstream.server.ServerConfig;
import picocli.CommandLine.Option;

/** The limits on encoded frames that every transport applies before decoding (`serve` and `worker`). */
final class ImageLimitOptions {
    @Option(names = "--max-image-pixels", paramLabel = "N", defaultValue = "40000000",
            description = "Largest JPEG/PNG frame (width x height), checked from its header before decoding; larger ones are INVALID. Default: ${DEFAULT-VALUE}.")
    long maxImagePixels;

    @Option(names = "--decode-memory-mb", paramLabel = "MB", defaultValue = "1024",
            description = "Memory for decoded JPEG/PNG frames, process-wide; a frame that does not fit now is OVERLOADED. Default: ${DEFAULT-VALUE}.")
    long decodeMemoryMb;

    ServerConfig.Builder applyTo(ServerConfig.Builder b) {
        return b.maxImagePixels(maxImagePixels).decodeMemoryBytes(decodeMemoryMb << 20);
    }
}
