package org.deqbench.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deqbench.metrics.ImageScores;
import org.deqbench.nn.ConvNet;
import org.deqbench.recon.IterationOutcome;
import org.deqbench.recon.DenoiserPrior;
import org.deqbench.recon.PlugAndPlay;
import org.deqbench.recon.Reconstructor;
import org.deqbench.recon.RegularizationByDenoising;
import org.deqbench.spec.MethodSpec;
import org.deqbench.spec.Problem;
import org.deqbench.spec.TaskSpec;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The methods with a learned Gaussian denoiser as their prior, one instance per scheme:
 * {@code pnp} ({@link PlugAndPlay}) and {@code red} ({@link RegularizationByDenoising}). The
 * shared trainer fits the denoiser ({@link GaussianDenoiserModel}, noise level
 * {@code denoiser.sigma}) on the task's training ground truths; then red chooses λ from
 * {@code lambdas} by the mean PSNR of its reconstructions of the training split (as TV does), and
 * both reconstruct the test split with {@code deq.max_iterations} and {@code deq.tolerance}.
 * {@code model.json}'s {@code lambda} is red's chosen λ; pnp has no weight and records 1.
 * Every problem: the denoiser takes its shape from the task (2D, or 3D over frames or slices).
 */
final class DenoiserPriorMethod implements LearnedMethod<GaussianDenoiserModel> {
    /** Which reconstruction uses the denoiser. */
    enum Scheme {
        PNP, RED
    }

    private final Scheme scheme;

    DenoiserPriorMethod(Scheme scheme) {
        this.scheme = scheme;
    }

    /** The denoiser's settings; RED also its λ grid. */
    @Override
    public Set<String> specKeys() {
        return scheme == Scheme.RED ? Set.of("lambdas", "denoiser") : Set.of("denoiser");
    }

    @Override
    public Set<Problem> problems() {
        return EnumSet.allOf(Problem.class);
    }

    @Override
    public GaussianDenoiserModel create(MethodSpec m, TaskSpec task, long seed) {
        ConvNet net = LearnedTraining.network(m, task, seed, false);
        double lambda = scheme == Scheme.RED && !m.lambdas().isEmpty() ? m.lambdas().get(0) : 1.0;
        return new GaussianDenoiserModel(net, m.denoiser().sigma(), seed, lambda);
    }

    @Override
    public ConvNet network(GaussianDenoiserModel model) {
        return model.network();
    }

    @Override
    public double lambda(GaussianDenoiserModel model) {
        return model.lambda();
    }

    private Reconstructor.Differentiable reconstructor(ConvNet net, double lambda, MethodSpec m) {
        return scheme == Scheme.PNP
                ? new PlugAndPlay(net, m.deq().maxIterations(), m.deq().tolerance())
                : new RegularizationByDenoising(net, lambda, m.deq().maxIterations(), m.deq().tolerance());
    }

    private IterationOutcome outcome(Reconstructor.Differentiable r, ExampleSet.Batch b) {
        return ((DenoiserPrior) r).outcome(b.measurements(), b.operator());
    }

    /** red: λ from {@code lambdas} by the mean PSNR of the training split's reconstructions. */
    @Override
    public Map<String, Object> tune(GaussianDenoiserModel model, ExampleSet train, MethodSpec m) {
        if (scheme != Scheme.RED) {
            return Map.of();
        }
        List<Map<String, Object>> grid = new ArrayList<>();
        double best = Double.NaN;
        double bestPsnr = Double.NEGATIVE_INFINITY;
        for (double lambda : m.lambdas()) {
            Reconstructor.Differentiable r = reconstructor(model.network(), lambda, m);
            double sum = 0;
            for (int[] idx : LearnedTraining.batches(train.size())) {
                ExampleSet.Batch b = train.batch(idx);
                sum += ImageScores.perImage(b.groundTruth(), r.reconstruct(b.measurements(), b.operator())).stream()
                        .mapToDouble(ImageScores::psnr).sum();
            }
            double psnr = sum / train.size();
            grid.add(Map.of("lambda", lambda, "train_psnr", psnr));
            System.out.printf("  lambda %-8g train PSNR %.2f dB%n", lambda, psnr);
            if (psnr > bestPsnr) {
                bestPsnr = psnr;
                best = lambda;
            }
        }
        model.lambda(best);
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("lambda_grid", grid);
        return info;
    }

    @Override
    public LearnedTraining.Evaluation evaluate(GaussianDenoiserModel model, ExampleSet test, MethodSpec m) {
        Reconstructor.Differentiable r = reconstructor(model.network(), model.lambda(), m);
        List<INDArray> parts = new ArrayList<>();
        double iterations = 0;
        int iterationsMax = 0;
        double change = 0;
        int converged = 0;
        int diverged = 0;
        for (int[] idx : LearnedTraining.batches(test.size())) {
            IterationOutcome o = outcome(r, test.batch(idx));
            parts.add(o.x());
            for (int i = 0; i < idx.length; i++) {
                iterations += o.iterations()[i];
                iterationsMax = Math.max(iterationsMax, o.iterations()[i]);
                change = Math.max(change, o.change()[i]);
                converged += o.converged()[i] ? 1 : 0;
                diverged += o.diverged()[i] ? 1 : 0;
            }
        }
        Map<String, Object> info = new LinkedHashMap<>();
        if (scheme == Scheme.RED) {
            info.put("lambda", model.lambda());
            info.put("step", "gamma = 1/(||A||^2 + 2 lambda)");
        } else {
            info.put("step", "gamma = 1/||A||^2");
        }
        info.put("denoiser_sigma", model.sigma());
        info.put("forward_iterations", iterations / Math.max(1, test.size()));
        info.put("forward_iterations_max", iterationsMax);
        info.put("forward_residual", change);
        info.put("forward_tolerance", m.deq().tolerance());
        info.put("forward_max_iterations", m.deq().maxIterations());
        info.put("converged", converged == test.size());
        info.put("converged_images", converged);
        info.put("diverged_images", diverged);
        info.put("parameters", model.network().parameterCount());
        return new LearnedTraining.Evaluation(Nd4j.concat(0, parts.toArray(INDArray[]::new)), info);
    }

    @Override
    public Map<String, Object> settings(GaussianDenoiserModel model, MethodSpec m) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("deq", m.deq());
        s.put("denoiser", m.denoiser());
        return s;
    }

    @Override
    public Reconstructor.Differentiable restore(ConvNet network, JsonNode model, MethodSpec m) {
        return reconstructor(network, model.get("lambda").asDouble(), m);
    }
}
