package io.camstream.explain;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The orchestration (forward, targets, backward, dispatch by kind, post-processing, the host and CUDA backends) must not know any
 * method by class or by name: a method says what it needs through its kind and declarations
 * ({@link ExplanationMethod#usesGradients()}, {@link CamMethod#deviceWeights()}, ...). Fails as soon as one of these
 * files names a registered method's class or its command-line name outside comments.
 */
class OrchestrationHasNoMethodCasesTest {
    private static final Path SOURCES = Path.of("src/main/java/io/camstream");
    private static final List<String> ORCHESTRATION = List.of("explain/Explainer.java", "explain/MapPipeline.java", "explain/ExplanationContext.java",
            "explain/LayerMaps.java", "explain/HostLayerMaps.java", "explain/DeviceLayerMaps.java", "explain/TargetScore.java",
            "explain/AugmentationSmoothing.java", "explain/Fusion.java", "model/CapturedPass.java", "model/ScoreWeights.java",
            "postprocess/cuda/DeviceCams.java");

    @Test
    void noRegisteredMethodIsSpecialCased() throws IOException {
        List<String> names = Methods.names();
        assertTrue(names.size() >= 12);
        for (String file : ORCHESTRATION) {
            String code = withoutComments(Files.readString(SOURCES.resolve(file)));
            for (String name : names) {
                String cls = Methods.byName(name).getClass().getSimpleName();
                assertFalse(Pattern.compile("\\b" + cls + "\\b").matcher(code).find(), file + " names method class " + cls);
                assertFalse(code.contains("\"" + name + "\""), file + " names method \"" + name + "\"");
            }
        }
    }

    @Test
    void theScanSeesASpecialCase() {
        // the check above can fail: a special case in code (not in a comment) is found
        String code = withoutComments("/* GradCam is fine here */ if (method instanceof GradCam) { }");
        assertTrue(Pattern.compile("\\bGradCam\\b").matcher(code).find());
        assertFalse(withoutComments("// GradCam\n/** GradCam */ int x;").contains("GradCam"));
    }

    private static String withoutComments(String source) {
        return source.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\\n]*", " ");
    }
}
