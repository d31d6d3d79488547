package org.deqbench.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deqbench.spec.Problem;
import org.junit.jupiter.api.Test;

/** Batches of a model trained on several tasks: one task per batch, every example once an epoch. */
class JointExampleSetTest {
    private static JointExampleSet set() {
        return new JointExampleSet(List.of(TinyProblems.examples(Problem.DENOISE, 5, 8, 1),
                TinyProblems.examples(Problem.INPAINT, 3, 8, 3)));
    }

    @Test
    void everyEpochBatchHoldsOneTaskAndEveryExampleOnceRoundRobin() {
        JointExampleSet s = set();
        assertEquals(8, s.size());
        int[] order = RandomStreams.permutation(8, 42);
        List<int[]> batches = s.epochBatches(order, 2);
        // denoise: 5 examples → 3 batches; inpaint: 3 → 2
        assertEquals(5, batches.size());
        List<Integer> tasks = new ArrayList<>();
        List<Integer> all = new ArrayList<>();
        for (int[] b : batches) {
            int task = s.part(b[0]);
            for (int i : b) {
                assertEquals(task, s.part(i), "batch " + Arrays.toString(b) + " mixes tasks");
                all.add(i);
            }
            tasks.add(task);
        }
        assertEquals(List.of(0, 1, 0, 1, 0), tasks, "tasks alternate while both have batches left");
        all.sort(null);
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), all);
        // inside a task the epoch's shuffled order is kept
        int[] firstDenoise = Arrays.stream(order).filter(i -> i < 5).limit(2).toArray();
        assertArrayEquals(firstDenoise, batches.get(0));
    }

    @Test
    void aBatchTakesItsTasksOperatorAndRefusesToMixTasks() {
        JointExampleSet s = set();
        ExampleSet.Batch b = s.batch(new int[] {6, 5});
        assertEquals(2, b.size());
        assertTrue(b.operator().getClass().getSimpleName().toLowerCase().contains("inpaint"), b.operator().getClass().getName());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.batch(new int[] {0, 5}));
        assertTrue(e.getMessage().contains("mixes the examples of tasks"), e.getMessage());
    }
}
