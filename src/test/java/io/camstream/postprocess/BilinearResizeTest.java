package io.camstream.postprocess;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BilinearResizeTest {
    @Test
    void halfPixelCentresOnATwoPixelRow() {
        // torch: F.interpolate(torch.tensor([[[[0., 1.]]]]), size=(1, 4), mode='bilinear', align_corners=False)
        // = [0, 0.25, 0.75, 1]
        float[] out = new float[4];
        BilinearResize.resize(new float[]{0f, 1f}, 0, 1, 2, out, 0, 1, 4);
        assertEquals(0f, out[0], 1e-7);
        assertEquals(0.25f, out[1], 1e-7);
        assertEquals(0.75f, out[2], 1e-7);
        assertEquals(1f, out[3], 1e-7);
    }

    @Property(tries = 50)
    void sameSizeIsTheIdentity(@ForAll @IntRange(min = 1, max = 12) int h, @ForAll @IntRange(min = 1, max = 12) int w, @ForAll long seed) {
        float[] src = random(h * w, seed);
        float[] out = new float[h * w];
        BilinearResize.resize(src, 0, h, w, out, 0, h, w);
        for (int i = 0; i < src.length; i++) assertEquals(src[i], out[i], 1e-6);
    }

    @Property(tries = 50)
    void outputStaysWithinTheSourceRange(@ForAll @IntRange(min = 1, max = 9) int h, @ForAll @IntRange(min = 1, max = 9) int w,
                                         @ForAll @IntRange(min = 1, max = 40) int outH, @ForAll @IntRange(min = 1, max = 40) int outW,
                                         @ForAll long seed) {
        float[] src = random(h * w, seed);
        float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
        for (float v : src) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        float[] out = new float[outH * outW];
        BilinearResize.resize(src, 0, h, w, out, 0, outH, outW);
        for (float v : out) {
            org.junit.jupiter.api.Assertions.assertTrue(v >= min - 1e-5 && v <= max + 1e-5, "convex combination");
        }
    }

    @Test
    void minMaxNormalisationMapsToUnitRangeAndConstantsToZero() {
        float[] x = {2f, 4f, 3f};
        MinMaxNormalisation.apply(x, 0, 3);
        assertEquals(0f, x[0]);
        assertEquals(1f, x[1]);
        assertEquals(0.5f, x[2]);
        float[] c = {5f, 5f};
        MinMaxNormalisation.apply(c, 0, 2);
        assertEquals(0f, c[0]);
        assertEquals(0f, c[1]);
    }

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        return x;
    }
}
