package org.deqbench.train;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.deqbench.store.NodeFiles;
import org.deqbench.store.NodeFileException;
import org.deqbench.recon.Reconstructor;
import org.deqbench.recon.TotalVariation;
import org.deqbench.spec.MethodSpec;
import org.deqbench.spec.Problem;
import org.deqbench.spec.TaskSpec;

/**
 * Total-variation reconstruction ({@link TotalVariation}) on every problem, real and complex images,
 * with λ chosen from the spec's {@code lambdas} by the mean PSNR on the training split and
 * {@code iterations} primal-dual iterations.
 */
final class TvMethod implements BaselineMethod {
    @Override
    public Set<String> specKeys() {
        return Set.of("lambdas", "iterations");
    }

    @Override
    public Set<Problem> problems() {
        return EnumSet.allOf(Problem.class);
    }

    @Override
    public Reconstructor choose(MethodSpec m, ToDoubleFunction<Reconstructor> score, Map<String, Object> info) {
        List<Map<String, Object>> grid = new ArrayList<>();
        TotalVariation best = null;
        double bestPsnr = Double.NEGATIVE_INFINITY;
        for (double lambda : m.lambdas()) {
            TotalVariation tv = new TotalVariation(lambda, m.iterations());
            double psnr = score.applyAsDouble(tv);
            grid.add(Map.of("lambda", lambda, "train_psnr", psnr));
            System.out.printf("  lambda %-8g train PSNR %.2f dB%n", lambda, psnr);
            if (psnr > bestPsnr) {
                bestPsnr = psnr;
                best = tv;
            }
        }
        info.put("lambda", best.lambda());
        info.put("lambda_grid", grid);
        info.put("iterations", m.iterations());
        info.put("solver", "Chambolle-Pock primal-dual, sigma = tau = 0.99/sqrt(||A||^2 + 4 d)");
        return best;
    }

    @Override
    public Reconstructor load(NodeFiles trained, MethodSpec method, TaskSpec task) {
        MethodDescription m = trained.json("method.json", MethodDescription.class);
        if (m.number("lambda") == null) {
            throw new NodeFileException(trained.dir().resolve("method.json"), "has no 'lambda' (the weight chosen in training)", null);
        }
        Double iterations = m.number("iterations");
        return new TotalVariation(m.number("lambda"), iterations == null ? method.iterations() : iterations.intValue());
    }
}
