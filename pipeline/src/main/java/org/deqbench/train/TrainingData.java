package org.deqbench.train;

/**
 * Indexed examples the trainer draws batches from.
 *
 * @param <B> the batch type
 */
public interface TrainingData<B> {
    int size();

    /** The batch of examples {@code indices} (0-based, in this order). */
    B batch(int[] indices);

    /**
     * The batches of one epoch whose shuffled order of all examples is {@code order}: consecutive
     * chunks of {@code batchSize} by default. Data whose batches must not mix some examples (one
     * task per batch, {@link JointExampleSet}) groups them here; the trainer takes every epoch's
     * step count from the identity order.
     */
    default java.util.List<int[]> epochBatches(int[] order, int batchSize) {
        java.util.List<int[]> out = new java.util.ArrayList<>();
        for (int from = 0; from < order.length; from += batchSize) {
            out.add(java.util.Arrays.copyOfRange(order, from, Math.min(order.length, from + batchSize)));
        }
        return out;
    }
}
