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
}
