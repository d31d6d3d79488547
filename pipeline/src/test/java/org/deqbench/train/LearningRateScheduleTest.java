package org.deqbench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {
    @Test
    void constantCosineAndStepFollowTheirFormulas() {
        LearningRateSchedule c = new LearningRateSchedule("constant", 1e-3, 100);
        assertEquals(1e-3, c.rate(0));
        assertEquals(1e-3, c.rate(99));
        LearningRateSchedule cos = new LearningRateSchedule("cosine", 1e-3, 100);
        assertEquals(1e-3, cos.rate(0), 1e-15);
        assertEquals(0.5e-3, cos.rate(50), 1e-15);
        assertEquals(0.5e-3 * (1 + Math.cos(Math.PI * 0.25)), cos.rate(25), 1e-15);
        LearningRateSchedule s = new LearningRateSchedule("step", 1e-3, 100);
        assertEquals(1e-3, s.rate(49));
        assertEquals(1e-4, s.rate(50), 1e-18);
        assertEquals(1e-5, s.rate(80), 1e-18);
    }

    @Test
    void unknownScheduleIsRejectedNamingTheKey() {
        var e = assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule("linear", 1e-3, 10));
        assertEquals(true, e.getMessage().contains("training.schedule"));
    }
}
