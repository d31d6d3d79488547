package org.deqbench.train;

/**
 * An epoch's validation.
 *
 * @param epoch      0-based epoch
 * @param step       steps completed at the end of the epoch
 * @param valPsnr    mean validation score (PSNR, dB); NaN without a validation set
 * @param best       whether this epoch's parameters are the best so far (and are kept)
 * @param diagnostics the model's per-epoch numbers (e.g. MOL-SN's certified Lipschitz bound)
 */
public record EpochRecord(int epoch, long step, double valPsnr, boolean best, java.util.Map<String, Double> diagnostics) {
    public EpochRecord {
        diagnostics = diagnostics == null ? java.util.Map.of() : java.util.Map.copyOf(diagnostics);
    }
}
