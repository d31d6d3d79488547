package org.deqbench.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deqbench.nn.ConvNet;
import org.deqbench.recon.ElderReconstructor;
import org.deqbench.recon.Reconstructor;
import org.deqbench.spec.DeqSpec;
import org.deqbench.spec.MethodSpec;
import org.deqbench.spec.Problem;
import org.deqbench.spec.TaskSpec;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ELDER ({@link ElderReconstructor}; Zou, Liu, Wohlberg, Kamilov 2023): minimise
 * ½‖Ax − b‖² + τ R_θ(x), τ = 1/λ, by gradient descent with Armijo backtracking to stationarity,
 * trained by implicit differentiation of the stationarity condition. λ starts at {@code deq.lambda};
 * {@code deq.max_iterations} and {@code deq.tolerance} bound and stop the descent,
 * {@code deq.backward_max_iterations} and {@code deq.backward_tolerance} the CG solve of the
 * backward pass ({@code deq.alpha}, {@code solver} and {@code cg_iterations} do not apply).
 *
 * <p>Runs on the 2D problems ({@link #PROBLEMS}): the explicit ∇R graph of
 * {@link org.deqbench.nn.ElderRegularizer} is built with 2D convolutions; 2D+time and 3D MRI
 * would need its 3D counterpart.
 *
 * <p>{@code method.json} records, for every test image, the objective F(x_k) at every iteration
 * ({@code objective_per_iteration}), how many images it decreased on monotonically and the
 * largest increase between consecutive iterations (the report shows both).
 */
final class ElderMethod implements LearnedMethod<ElderModel> {
    /** The problems ELDER runs on: those with 2D images. */
    static final Set<Problem> PROBLEMS = EnumSet.of(Problem.MRI, Problem.SINGLE_COIL_MRI, Problem.DENOISE,
            Problem.DEBLUR, Problem.SUPER_RESOLUTION, Problem.INPAINT);

    @Override
    public Set<String> specKeys() {
        return Set.of();
    }

    @Override
    public Set<Problem> problems() {
        return PROBLEMS;
    }

    static ElderReconstructor.Settings settings(DeqSpec d) {
        return new ElderReconstructor.Settings(d.maxIterations(), d.tolerance(), d.backwardMaxIterations(),
                d.backwardTolerance());
    }

    @Override
    public ElderModel create(MethodSpec m, TaskSpec task, long seed) {
        ConvNet net = LearnedTraining.network(m, task, seed, false);
        ElderModel model = new ElderModel(net, m.deq().lambda(), settings(m.deq()));
        model.useTraining(m.training());
        return model;
    }

    @Override
    public ConvNet network(ElderModel model) {
        return model.network();
    }

    @Override
    public double lambda(ElderModel model) {
        return model.lambda();
    }

    @Override
    public Map<String, Object> settings(ElderModel model, MethodSpec m) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("deq", m.deq());
        s.put("objective", "F(x) = 0.5 ||A x - b||^2 + (1/lambda) 0.5 ||x - N(x)||^2");
        return s;
    }

    @Override
    public Reconstructor.Differentiable restore(ConvNet network, JsonNode model, MethodSpec m) {
        return new ElderReconstructor(network, model.get("lambda").asDouble(), settings(m.deq()));
    }

    @Override
    public LearnedTraining.Evaluation evaluate(ElderModel model, ExampleSet test, MethodSpec m) {
        ElderReconstructor r = model.reconstructor();
        List<INDArray> parts = new ArrayList<>();
        List<Map<String, Object>> perImage = new ArrayList<>();
        int monotone = 0;
        int converged = 0;
        int stalled = 0;
        double largestIncrease = Double.NEGATIVE_INFINITY;
        double iterationSum = 0;
        int iterationMax = 0;
        double stationarityMax = 0;
        int index = 0;
        for (int[] idx : LearnedTraining.batches(test.size())) {
            ExampleSet.Batch b = test.batch(idx);
            ElderReconstructor.Forward f = r.forward(b.measurements(), b.operator());
            parts.add(f.x());
            for (int i = 0; i < idx.length; i++) {
                double[] trace = f.objective().get(i);
                Descent d = Descent.of(trace);
                monotone += d.monotone() ? 1 : 0;
                largestIncrease = Math.max(largestIncrease, d.largestIncrease());
                converged += f.converged()[i] ? 1 : 0;
                stalled += f.stalled()[i] ? 1 : 0;
                iterationSum += f.iterations()[i];
                iterationMax = Math.max(iterationMax, f.iterations()[i]);
                stationarityMax = Math.max(stationarityMax, f.stationarity()[i]);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("index", index++);
                row.put("iterations", f.iterations()[i]);
                row.put("stationarity", f.stationarity()[i]);
                row.put("converged", f.converged()[i]);
                row.put("stalled", f.stalled()[i]);
                row.put("objective", trace);
                perImage.add(row);
            }
        }
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("lambda", r.lambda());
        info.put("tau", r.tau());
        info.put("step_rule", "Armijo backtracking (c = 1e-4, halving) from a Barzilai-Borwein trial step");
        info.put("forward_iterations", iterationSum / Math.max(1, test.size()));
        info.put("forward_iterations_max", iterationMax);
        info.put("forward_residual", stationarityMax);
        info.put("forward_residual_meaning", "||grad F(x)|| / ||A^H b||");
        info.put("forward_tolerance", m.deq().tolerance());
        info.put("forward_max_iterations", m.deq().maxIterations());
        info.put("converged", converged == test.size());
        info.put("converged_images", converged);
        info.put("stalled_images", stalled);
        info.put("objective_images", test.size());
        info.put("objective_monotone_images", monotone);
        info.put("objective_largest_increase", test.size() == 0 ? 0.0 : largestIncrease);
        info.put("objective_per_iteration", perImage);
        info.put("parameters", r.network().parameterCount() + 1);
        return new LearnedTraining.Evaluation(Nd4j.concat(0, parts.toArray(INDArray[]::new)), info);
    }

    /**
     * How an objective trace F(x₀), F(x₁), … behaved.
     *
     * @param monotone        F(x_{k+1}) ≤ F(x_k) for every k
     * @param largestIncrease max_k F(x_{k+1}) − F(x_k) (negative when every step decreased; 0 for a
     *                        trace of one value)
     */
    record Descent(boolean monotone, double largestIncrease) {
        static Descent of(double[] trace) {
            double largest = trace.length < 2 ? 0.0 : Double.NEGATIVE_INFINITY;
            for (int k = 1; k < trace.length; k++) {
                largest = Math.max(largest, trace[k] - trace[k - 1]);
            }
            return new Descent(largest <= 0, largest);
        }
    }
}
