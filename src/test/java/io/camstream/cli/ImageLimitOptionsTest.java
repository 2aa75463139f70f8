package io.camstream.cli;

import io.camstream.server.ServerConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.lang.reflect.Field;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Both transports take the same limits on encoded frames, and they reach the request path's config. */
class ImageLimitOptionsTest {
    @ParameterizedTest
    @ValueSource(classes = {ServeCommand.class, WorkerCommand.class})
    void theImageLimitsParseIntoTheServerConfig(Class<?> command) throws Exception {
        Object cmd = command.getDeclaredConstructor().newInstance();
        String[] required = command == WorkerCommand.class ? new String[] {"--bootstrap", "127.0.0.1:9", "--in", "a", "--out", "b"} : new String[0];
        String[] args = new String[required.length + 4];
        System.arraycopy(required, 0, args, 0, required.length);
        System.arraycopy(new String[] {"--max-image-pixels", "12345", "--decode-memory-mb", "3"}, 0, args, required.length, 4);
        new CommandLine(cmd).parseArgs(args);
        Field f = command.getDeclaredField("imageLimits");
        f.setAccessible(true);
        ServerConfig config = ((ImageLimitOptions) f.get(cmd)).applyTo(ServerConfig.builder()).build();
        assertEquals(12345, config.maxImagePixels);
        assertEquals(3L << 20, config.decodeMemoryBytes);
    }
}
