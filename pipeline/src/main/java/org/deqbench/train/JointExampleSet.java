package org.deqbench.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The training examples of several tasks as one indexed set for a model trained on their union
 * ({@code train_on}): task k's examples are indices {@code [offset_k, offset_k + n_k)}. A batch
 * never mixes tasks, because operators and measurement shapes differ between them: an epoch
 * ({@link #epochBatches}) splits the trainer's shuffled order of all examples by task, keeping
 * that order inside each task, cuts each task's list into batches, and interleaves the tasks
 * round-robin (first batch of every task in {@code train_on} order, then every second batch, …).
 * The order is as seeded as the trainer's permutation it comes from, so a resumed run draws the
 * same batches.
 */
public final class JointExampleSet implements TrainingData<ExampleSet.Batch> {
    private final List<ExampleSet> parts;
    private final int[] offsets;

    /** @param parts one set per task, in {@code train_on} order; empty ones are left out */
    public JointExampleSet(List<ExampleSet> parts) {
        this.parts = parts.stream().filter(p -> p.size() > 0).toList();
        this.offsets = new int[this.parts.size() + 1];
        for (int k = 0; k < this.parts.size(); k++) {
            offsets[k + 1] = offsets[k] + this.parts.get(k).size();
        }
    }

    /** The task (index into the parts) of example {@code index}. */
    public int part(int index) {
        if (index < 0 || index >= size()) {
            throw new IndexOutOfBoundsException("example " + index + " of " + size());
        }
        // offsets strictly increase (no empty parts): a hit is the first example of part k
        int k = Arrays.binarySearch(offsets, index);
        return k >= 0 ? k : -k - 2;
    }

    @Override
    public int size() {
        return offsets[parts.size()];
    }

    /** The examples {@code indices}, which must all belong to one task. */
    @Override
    public ExampleSet.Batch batch(int[] indices) {
        int k = part(indices[0]);
        int[] local = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            if (part(indices[i]) != k) {
                throw new IllegalArgumentException("a batch mixes the examples of tasks '"
                        + parts.get(k).task().name() + "' and '" + parts.get(part(indices[i])).task().name()
                        + "'; batches of a joint training set hold one task's examples");
            }
            local[i] = indices[i] - offsets[k];
        }
        return parts.get(k).batch(local);
    }

    /** One task's batches after another's, round-robin; see the class comment. */
    @Override
    public List<int[]> epochBatches(int[] order, int batchSize) {
        List<List<int[]>> perTask = new ArrayList<>();
        List<List<Integer>> members = new ArrayList<>();
        for (int k = 0; k < parts.size(); k++) {
            members.add(new ArrayList<>());
        }
        for (int i : order) {
            members.get(part(i)).add(i);
        }
        int rounds = 0;
        for (List<Integer> m : members) {
            int[] all = m.stream().mapToInt(Integer::intValue).toArray();
            perTask.add(TrainingData.super.epochBatches(all, batchSize));
            rounds = Math.max(rounds, perTask.get(perTask.size() - 1).size());
        }
        List<int[]> out = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            for (List<int[]> t : perTask) {
                if (r < t.size()) {
                    out.add(t.get(r));
                }
            }
        }
        return out;
    }
}
