package org.deqbench.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.deqbench.data.SimulatedData;
import org.deqbench.data.SimulatedSplit;
import org.deqbench.recon.Reconstructor;
import org.deqbench.spec.MethodSpec;

/**
 * A method without a network: it "trains" by choosing its parameters (a regularisation weight) by
 * a score on the training split, then reconstructs the test split ({@link LinearBaselines}).
 */
public interface BaselineMethod extends Method {
    /**
     * The method with its parameters chosen by {@code score} (higher is better; the mean training
     * PSNR in the train stage); what was tried and chosen goes into {@code info} (method.json).
     */
    Reconstructor choose(MethodSpec method, ToDoubleFunction<Reconstructor> score, Map<String, Object> info);

    @Override
    default void train(TrainingRun run) {
        long t0 = System.nanoTime();
        SimulatedSplit train = SimulatedData.load(run.simulated(), "train");
        Map<String, Object> info = new LinkedHashMap<>();
        Reconstructor chosen = choose(run.method(), r -> LinearBaselines.meanPsnr(r, train), info);
        if (info.get("lambda_grid") instanceof List<?> grid) {
            for (int i = 0; i < grid.size(); i++) {
                if (grid.get(i) instanceof Map<?, ?> row && row.get("train_psnr") instanceof Number psnr) {
                    run.logMetric("grid_train_psnr", psnr.doubleValue(), i);
                }
            }
        }
        LinearBaselines.finish(run, chosen, info, t0);
    }
}
