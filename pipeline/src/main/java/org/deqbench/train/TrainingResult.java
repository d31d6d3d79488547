package org.deqbench.train;

import java.util.List;

/**
 * The outcome of {@link Trainer#run}.
 *
 * @param steps          steps completed in total
 * @param seconds        training wall time, summed over resumed segments
 * @param resumedFrom    step the run resumed from (0 for a fresh run)
 * @param bestEpoch      epoch whose parameters were kept (−1 without validation: the last ones)
 * @param bestValPsnr    their validation score
 * @param stepRecords    every step's record
 * @param epochRecords   every epoch's record
 */
public record TrainingResult(long steps, double seconds, long resumedFrom, int bestEpoch, double bestValPsnr,
                             List<StepRecord> stepRecords, List<EpochRecord> epochRecords) {
}
