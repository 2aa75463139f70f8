package io.camstream.natives;

import io.camstream.Fixtures;
import io.camstream.image.Images;
import io.camstream.model.TorchModel;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * After libtorch, OpenCV and FFmpeg are in use, the process maps only camstream's own copies of them (from JavaCPP's
 * cache) and, on the CPU build, no CUDA library at all, whatever the system also has (Debian's libtorch, OpenCV and
 * OpenBLAS, a CUDA toolkit in /usr/local/cuda). Read from /proc/self/maps: what the dynamic linker really loaded. The
 * GPU build's test JVM runs the CUDA natives on purpose; there only the origin of camstream's libraries is checked.
 */
@EnabledOnOs(OS.LINUX)
class NativeIsolationTest {
    /** Libraries camstream ships; any copy of them from elsewhere is a second version in the process. */
    private static final Pattern OURS = Pattern.compile(
            "lib(torch|torch_cpu|c10|jnitorch|opencv_[a-z0-9_]+|jniopencv_[a-z0-9_]+|openblas[a-z_]*|gomp|"
                    + "av(codec|format|util|filter|device)|sw(scale|resample))\\.so.*");
    private static final Pattern CUDA = Pattern.compile(
            "lib(cuda|cudart|cupti|cublas|cublasLt|cudnn[a-z_]*|nvrtc[a-z-]*|nvJitLink|cufft|curand|cusparse|cusolver|"
                    + "nccl|c10_cuda|torch_cuda)\\.so.*");

    @Test
    void onlyCamstreamsOwnNativeLibrariesAreMapped() throws Exception {
        try (TorchModel model = TorchModel.load(Fixtures.DEMO.resolve("model.pt"))) {
            Mat image = Images.read(Fixtures.DEMO.resolve("images").resolve(firstImage()));
            assertTrue(image.cols() > 0);
            try (FFmpegFrameGrabber video = new FFmpegFrameGrabber(Fixtures.DEMO.resolve("video.mp4").toString())) {
                video.start();
                assertTrue(video.grabImage() != null, "the demo video decodes");
            }
            // the build's choice: none (CPU natives) by default, -gpu in the GPU build (pom: camstream.native.extension)
            String extension = System.getProperty(NativeLibraries.EXTENSION_PROPERTY, "");
            assertEquals(extension, NativeLibraries.preparedExtension(), "the test JVM runs the natives its build chose");

            String cache = Loader.getCacheDir().getCanonicalPath();
            List<String> mapped = Files.readAllLines(Path.of("/proc/self/maps")).stream()
                    .map(l -> l.contains("/") ? l.substring(l.indexOf('/')) : "")
                    .filter(p -> !p.isEmpty()).distinct().toList();
            List<String> foreign = mapped.stream()
                    .filter(p -> OURS.matcher(Path.of(p).getFileName().toString()).matches())
                    .filter(p -> !p.startsWith(cache)).toList();
            List<String> cuda = mapped.stream()
                    .filter(p -> CUDA.matcher(Path.of(p).getFileName().toString()).matches()).toList();
            assertTrue(mapped.stream().anyMatch(p -> p.startsWith(cache) && p.contains("libtorch_cpu.so")),
                    "libtorch_cpu from JavaCPP's cache is mapped: " + mapped);
            assertTrue(foreign.isEmpty(), "native libraries mapped from outside JavaCPP's cache " + cache + ": " + foreign);
            if (extension.isEmpty()) assertTrue(cuda.isEmpty(), "a CPU run mapped CUDA libraries: " + cuda);
        }
    }

    private static String firstImage() throws Exception {
        try (var files = Files.list(Fixtures.DEMO.resolve("images"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".png") || n.endsWith(".jpg"))
                    .sorted().findFirst().orElseThrow();
        }
    }
}
