package org.deqbench.train;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Everything a killed training run needs to continue exactly where it stopped: parameters, the
 * optimiser's moments and step count, the best parameters so far and their validation score, the
 * curves so far, and the cumulative training time. Random streams need no saved state: they are
 * derived from the seed, the epoch and the step ({@link RandomStreams}).
 *
 * @param fingerprint  identifies the configuration (node hash, seed); a checkpoint with another
 *                     fingerprint is not resumed from
 * @param step         steps completed
 * @param seconds      training wall time accumulated up to this checkpoint
 * @param parameters   current parameters
 * @param adamSteps    Adam's t
 * @param adamFirst    Adam's first moments
 * @param adamSecond   Adam's second moments
 * @param best         best parameters so far (empty before the first validation)
 * @param bestScore    their validation score (−∞ before the first validation)
 * @param bestEpoch    their epoch (−1 before the first validation)
 * @param steps        step records so far
 * @param epochs       epoch records so far
 */
public record Checkpoint(String fingerprint, long step, double seconds, Map<String, INDArray> parameters,
                         long adamSteps, Map<String, INDArray> adamFirst, Map<String, INDArray> adamSecond,
                         Map<String, INDArray> best, double bestScore, int bestEpoch,
                         List<StepRecord> steps, List<EpochRecord> epochs) {
}
