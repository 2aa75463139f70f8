package io.camstream.explain;

import io.camstream.Fixtures;
import io.camstream.InvalidInputException;
import io.camstream.image.Images;
import io.camstream.model.ModelLoadException;
import io.camstream.model.TorchModel;
import io.camstream.model.UnknownLayerException;
import io.camstream.tensor.FloatTensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input gets a typed error that names what was wrong; the model stays usable afterwards. */
class ErrorsTest {
    private static TorchModel model;

    @BeforeAll
    static void load() {
        model = TorchModel.load(Fixtures.DEMO.resolve("model.pt"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void unknownLayerSuggestsTheClosestAndPointsToLayers() {
        UnknownLayerException e = assertThrows(UnknownLayerException.class,
                () -> new Explainer(model, "features.99", new GradCam(), Labels.NONE));
        assertTrue(e.getMessage().contains("features.99"));
        assertTrue(e.getMessage().contains("did you mean features."), e.getMessage());
        assertTrue(e.getMessage().contains("Layers include features, avgpool, fc") && e.getMessage().contains("`camstream layers"), e.getMessage());
        assertTrue(e.validLayers().contains("fc"), e.getMessage());
    }

    @Test
    void nonSpatialLayerIsRefusedWithAHint() {
        Explainer fc = new Explainer(model, "fc", new GradCam(), Labels.NONE);
        NonSpatialLayerException e = assertThrows(NonSpatialLayerException.class, () -> fc.explain(randomInput(1, 3, 128), Targets.top1()));
        assertTrue(e.getMessage().contains("'fc'") && e.getMessage().contains("--layer"), e.getMessage());
    }

    @Test
    void missingModel(@TempDir Path dir) {
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> TorchModel.load(dir.resolve("nope.pt")));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void corruptModel(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.pt");
        byte[] junk = new byte[4096];
        new Random(1).nextBytes(junk);
        Files.write(bad, junk);
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> TorchModel.load(bad));
        assertTrue(e.getMessage().contains("TorchScript"), e.getMessage());
    }

    @Test
    void wrongInputShapeThenTheModelStillWorks() {
        Explainer ex = new Explainer(model, "features", new GradCam(), Labels.NONE);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ex.explain(randomInput(2, 1, 128), Targets.top1()));
        assertTrue(e.getMessage().contains("[2, 1, 128, 128]"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> ex.explain(new FloatTensor(new float[12], 3, 4), Targets.top1()));
        assertEquals(2, ex.explain(randomInput(2, 3, 128), Targets.top1()).size());
    }

    @Test
    void badTargetsAreNamed() {
        Explainer ex = new Explainer(model, "features", new GradCam(), Labels.NONE);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ex.explain(randomInput(1, 3, 128), new Targets.Classes(new int[]{42})));
        assertTrue(e.getMessage().contains("42"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> ex.explain(randomInput(2, 3, 128), new Targets.Classes(new int[]{1, 2, 3})));
        assertThrows(InvalidInputException.class, () -> ex.explain(randomInput(1, 3, 128), new Targets.TopK(99)));
    }

    @Test
    void unreadableImage(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("photo.png");
        Files.writeString(bad, "this is not a PNG");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Images.read(bad));
        assertTrue(e.getMessage().contains("photo.png"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> Images.read(dir.resolve("missing.png")));
    }

    @Test
    void unknownMethodListsTheValidOnes() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Methods.byName("gradcam3000"));
        assertTrue(e.getMessage().contains("gradcam++"), e.getMessage());
    }

    static FloatTensor randomInput(int n, int c, int size) {
        Random r = new Random(7);
        float[] d = new float[n * c * size * size];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        return new FloatTensor(d, n, c, size, size);
    }
}
