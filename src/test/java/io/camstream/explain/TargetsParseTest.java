package io.camstream.explain;

import io.camstream.InvalidInputException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --target} expressions, their round trip through {@link Target#describe()}, and the scores they define. */
class TargetsParseTest {
    @Test
    void plainClassesStayClasses() {
        Targets t = Targets.parse("3,7,1");
        assertArrayEquals(new int[]{3, 7, 1}, assertInstanceOf(Targets.Classes.class, t).classes());
    }

    @Test
    void contrastsAndWeightedSetsParseAndRoundTrip() {
        for (String text : new String[]{"3-7", "3+7", "0.7*3+0.3*7", "-2*1+4", "3-7,1-2"}) {
            Targets t = Targets.parse(text);
            Targets.Scores s = assertInstanceOf(Targets.Scores.class, t);
            StringBuilder back = new StringBuilder();
            for (Target target : s.targets()) back.append(back.isEmpty() ? "" : ",").append(target.describe());
            assertEquals(Targets.parse(back.toString()), t, text + " -> " + back);
        }
        Targets prob = Targets.parse("3-7", Target.Score.PROBABILITY);
        Target described = ((Targets.Scores) prob).targets().get(0);
        assertEquals("p:3-7", described.describe());
        assertEquals(prob, Targets.parse(described.describe()));
        Target c = ((Targets.Scores) Targets.parse("3-7")).targets().get(0);
        assertArrayEquals(new int[]{3, 7}, c.classes());
        assertArrayEquals(new float[]{1f, -1f}, c.weights());
    }

    @Test
    void scoresAreWhatTheyClaim() {
        float[] logits = {1f, 2f, 0.5f, 3f};
        assertEquals(2f - 3f, Target.contrast(1, 3, Target.Score.LOGIT).value(logits, 0, 4), 1e-9);
        double[] p = Ranking.softmax(logits, 0, 4);
        assertEquals(p[1] - p[3], Target.contrast(1, 3, Target.Score.PROBABILITY).value(logits, 0, 4), 1e-9);
        Target set = ((Targets.Scores) Targets.parse("0.25*0+0.75*2")).targets().get(0);
        assertEquals(0.25 * 1 + 0.75 * 0.5, set.value(logits, 0, 4), 1e-9);
    }

    @Test
    void badExpressionsAreRefusedClearly() {
        for (String bad : new String[]{"", "a", "3-", "3--7", "*3", "3,", "0.5*", "3-3"}) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> Targets.parse(bad), bad);
            assertTrue(e.getMessage().contains("--target") || e.getMessage().contains("twice"), e.getMessage());
        }
        assertThrows(InvalidInputException.class, () -> Target.Score.parse("logits2"));
    }

    @Test
    void outOfRangeClassesInAContrastAreRefused() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Targets.parse("1-9").resolve(new float[4], 1, 4));
        assertTrue(e.getMessage().contains("9") && e.getMessage().contains("out of range"), e.getMessage());
    }
}
