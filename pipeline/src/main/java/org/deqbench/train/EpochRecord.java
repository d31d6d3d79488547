package org.deqbench.train;

/**
 * An epoch's validation.
 *
 * @param epoch      0-based epoch
 * @param step       steps completed at the end of the epoch
 * @param valPsnr    mean validation score (PSNR, dB); NaN without a validation set
 * @param best       whether this epoch's parameters are the best so far (and are kept)
 */
public record EpochRecord(int epoch, long step, double valPsnr, boolean best) {
}
