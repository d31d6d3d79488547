package org.deqbench.train;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.deqbench.store.NodeFiles;
import org.deqbench.store.NodeFileException;
import org.deqbench.recon.CgSense;
import org.deqbench.recon.Reconstructor;
import org.deqbench.solve.ConjugateGradient;
import org.deqbench.spec.MethodSpec;
import org.deqbench.spec.Problem;
import org.deqbench.spec.TaskSpec;

/**
 * CG-SENSE / Tikhonov, x̂ = (A^H A + λI)^{-1} A^H b on every problem, with λ chosen from the spec's
 * {@code lambdas} by the mean PSNR on the training split (the test split is never looked at).
 */
final class CgSenseMethod implements BaselineMethod {
    /** CG relative tolerance for reconstructions (float64). */
    private static final double CG_TOLERANCE = 1e-8;
    /** CG settings for certify and attack: tight enough that CG-SENSE is its exact linear map in float64. */
    static final ConjugateGradient EXACT_CG = new ConjugateGradient(1e-9, 1000);

    @Override
    public Set<String> specKeys() {
        return Set.of("lambdas", "cg_iterations");
    }

    @Override
    public Set<Problem> problems() {
        return EnumSet.allOf(Problem.class);
    }

    @Override
    public Reconstructor choose(MethodSpec m, ToDoubleFunction<Reconstructor> score,
                                               Map<String, Object> info) {
        ConjugateGradient cg = new ConjugateGradient(CG_TOLERANCE, m.cgIterations());
        List<Map<String, Object>> grid = new ArrayList<>();
        double bestPsnr = Double.NEGATIVE_INFINITY;
        double bestLambda = Double.NaN;
        for (double lambda : m.lambdas()) {
            double psnr = score.applyAsDouble(new CgSense(lambda, cg));
            grid.add(Map.of("lambda", lambda, "train_psnr", psnr));
            System.out.printf("  lambda %-8g train PSNR %.2f dB%n", lambda, psnr);
            if (psnr > bestPsnr) {
                bestPsnr = psnr;
                bestLambda = lambda;
            }
        }
        info.put("lambda", bestLambda);
        info.put("lambda_grid", grid);
        info.put("cg_iterations", m.cgIterations());
        info.put("cg_tolerance", CG_TOLERANCE);
        return new CgSense(bestLambda, cg);
    }

    @Override
    public Reconstructor load(NodeFiles trained, MethodSpec method, TaskSpec task) {
        MethodDescription m = trained.json("method.json", MethodDescription.class);
        if (m.number("lambda") == null) {
            throw new NodeFileException(trained.dir().resolve("method.json"),
                    "has no 'lambda' (the weight chosen in training)", null);
        }
        return new CgSense(m.number("lambda"), EXACT_CG);
    }
}
