package io.camstream.natives;

import org.bytedeco.javacpp.Loader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;

/**
 * Sets up JavaCPP before the first native library is loaded, so that the process maps only camstream's own copies.
 *
 * <p>Two things go wrong otherwise. (1) JavaCPP extracts each library into its cache just before loading it, in the
 * presets' link order: libtorch.so is loaded while libtorch_cpu.so is not yet in the cache, so the dynamic linker
 * resolves libtorch.so's {@code NEEDED libtorch_cpu.so} (RUNPATH {@code $ORIGIN}, not there yet) from the system
 * folders, and a system libtorch (Debian's python3-torch ships {@code /usr/lib/x86_64-linux-gnu/libtorch_cpu.so})
 * meets ours in one process: SIGSEGV on the first run of every new machine. Extracting every native resource before
 * anything is loaded makes {@code $ORIGIN} find ours. (2) With no platform extension set, JavaCPP also tries the
 * {@code -gpu} variants' preloads and picks CUDA libraries up from {@code /usr/local/cuda}: a CPU run sets the
 * extension to none, a CUDA run to {@code -gpu}.
 */
public final class NativeLibraries {
    /** JavaCPP's system property for the platform extension; read once, when its platform properties first load. */
    public static final String EXTENSION_PROPERTY = "org.bytedeco.javacpp.platform.extension";
    static final String GPU_EXTENSION = "-gpu";

    /** The presets whose natives camstream may load, in JavaCPP's resource layout {@code /org/bytedeco/NAME/PLATFORM/}. */
    private static final List<String> PRESETS = List.of("javacpp", "openblas", "pytorch", "opencv", "ffmpeg", "cuda");

    private static final Pattern SHARED_LIBRARY = Pattern.compile("lib[^/]+\\.so(\\.[0-9]+)*");
    private static final Logger LOG = LoggerFactory.getLogger(NativeLibraries.class);
    private static String preparedExtension;

    private NativeLibraries() {
    }

    /**
     * Chooses the CPU or CUDA natives and extracts them all into JavaCPP's cache. Idempotent; call it before any
     * {@code org.bytedeco} class other than {@link Loader} is used. An extension the user set with
     * {@code -Dorg.bytedeco.javacpp.platform.extension} wins, and the first call's choice holds for the process.
     *
     * @throws NativeLibraryException if the cache cannot be written, naming the library and what to do
     */
    public static synchronized void prepare(boolean cuda) {
        String wanted = cuda ? GPU_EXTENSION : "";
        String extension = System.getProperty(EXTENSION_PROPERTY);
        if (extension == null) {
            if (preparedExtension == null) System.setProperty(EXTENSION_PROPERTY, wanted);
            extension = System.getProperty(EXTENSION_PROPERTY, wanted);
        }
        if (preparedExtension != null) {
            // Natives are chosen once per process; a later CUDA request on CPU natives is refused where CUDA is
            // required (CudaDevices.require), with the usual "CUDA not available" message.
            if (cuda && !preparedExtension.endsWith(GPU_EXTENSION)) {
                LOG.debug("CUDA asked for after the CPU natives were chosen in this process");
            }
            return;
        }
        extractAll(Loader.getPlatform(), extension);
        preparedExtension = extension;
    }

    /** The extension chosen by {@link #prepare}, or null before it ran. */
    public static synchronized String preparedExtension() {
        return preparedExtension;
    }

    private static void extractAll(String platform, String extension) {
        long started = System.nanoTime();
        int extracted = 0;
        for (String preset : PRESETS) {
            if (preset.equals("cuda") && extension.isEmpty()) continue; // a CPU run loads no CUDA library
            String folder = "/org/bytedeco/" + preset + "/" + platform + "/";
            URL[] urls = extension.isEmpty() ? new URL[0] : findFolders("/org/bytedeco/" + preset + "/" + platform + extension + "/");
            if (urls.length > 0) {
                folder = "/org/bytedeco/" + preset + "/" + platform + extension + "/";
            } else {
                urls = findFolders(folder); // JavaCPP falls back to the plain platform where an extension has none
            }
            for (URL url : urls) {
                for (URL library : sharedLibraries(url, folder)) {
                    extract(library);
                    extracted++;
                }
            }
        }
        LOG.debug("native libraries ready ({} files, extension '{}') in {} ms", extracted, extension,
                (System.nanoTime() - started) / 1_000_000);
    }

    private static URL[] findFolders(String folder) {
        try {
            return Loader.findResources(NativeLibraries.class, folder);
        } catch (IOException e) {
            throw new NativeLibraryException("cannot read camstream's native libraries (" + folder + ") from the "
                    + "class path: " + e.getMessage() + ". Rebuild the jar (mvn -B package -DskipTests)", e);
        }
    }

    /** The shared libraries directly in a platform folder of a jar (headers and executables beside them are not needed). */
    private static List<URL> sharedLibraries(URL folderUrl, String folder) {
        List<URL> libraries = new ArrayList<>();
        try {
            URLConnection connection = folderUrl.openConnection();
            if (!(connection instanceof JarURLConnection jar)) {
                libraries.add(folderUrl); // an exploded folder: JavaCPP copies it whole
                return libraries;
            }
            String prefix = folder.substring(1);
            String base = folderUrl.toString().substring(0, folderUrl.toString().length() - prefix.length());
            JarFile file = jar.getJarFile();
            for (Enumeration<JarEntry> e = file.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                if (name.startsWith(prefix) && SHARED_LIBRARY.matcher(name.substring(prefix.length())).matches()) {
                    libraries.add(new URL(base + name));
                }
            }
        } catch (IOException e) {
            throw new NativeLibraryException("cannot list the native libraries in " + folderUrl + ": " + e.getMessage()
                    + ". The jar may be damaged: rebuild it (mvn -B package -DskipTests)", e);
        }
        return libraries;
    }

    private static void extract(URL library) {
        try {
            Loader.cacheResource(library);
        } catch (IOException | RuntimeException e) {
            String name = library.getPath().substring(library.getPath().lastIndexOf('/') + 1);
            throw new NativeLibraryException("cannot extract native library " + name + " to JavaCPP's cache ("
                    + cacheDirForMessage() + "): " + e.getMessage() + ". Free disk space, or point the cache at a "
                    + "writable folder with CAMSTREAM_JAVA_OPTS=-Dorg.bytedeco.javacpp.cachedir=DIR", e);
        }
    }

    private static String cacheDirForMessage() {
        try {
            return Loader.getCacheDir().getPath();
        } catch (IOException e) {
            return "no writable cache folder: " + e.getMessage();
        }
    }
}
