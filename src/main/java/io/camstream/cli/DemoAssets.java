package io.camstream.cli;

import io.camstream.CamstreamException;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The demo model, labels and images shipped inside the jar (under {@code demo/}), as a folder on disk: the
 * resource folder itself when running from classes, else a copy extracted from the jar to a temporary folder.
 */
final class DemoAssets {
    private DemoAssets() {
    }

    static Path folder() {
        URL url = DemoAssets.class.getClassLoader().getResource("demo/model.json");
        if (url == null) throw new CamstreamException("the demo assets are missing from the classpath (demo/model.json); rebuild with `mvn package`");
        try {
            URI uri = url.toURI();
            if (uri.getScheme().equals("file")) return Path.of(uri).getParent();
            Path target = Files.createTempDirectory("camstream-demo");
            try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of()); Stream<Path> files = Files.walk(jar.getPath("/demo"))) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Path dest = target.resolve(jar.getPath("/demo").relativize(p).toString());
                    if (Files.isDirectory(p)) Files.createDirectories(dest);
                    else Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return target;
        } catch (IOException | URISyntaxException e) {
            throw new CamstreamException("cannot unpack the demo assets: " + e.getMessage(), e);
        }
    }
}
