package org.deqbench.stage;

import org.deqbench.attack.AttackResults;
import org.deqbench.attack.ProjectedGradientAttack;
import org.deqbench.certify.LipschitzCertificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deqbench.certify.LipschitzAscent;
import org.deqbench.data.SimulatedData;
import org.deqbench.data.SimulatedSplit;
import org.deqbench.physics.LinearOperator;
import org.deqbench.plan.NodeContext;
import org.deqbench.progress.Progress;
import org.deqbench.plan.Stage;
import org.deqbench.recon.DeqReconstructor;
import org.deqbench.recon.Reconstructor;
import org.deqbench.spec.AttackSpec;
import org.deqbench.spec.DeqSpec;
import org.deqbench.train.TrainedMethods;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The {@code attack} stage: for each ε of the spec and each attacked test example, the worst
 * measurement perturbation of norm ε‖b‖ found by {@link ProjectedGradientAttack} (steps, restarts
 * and step size from the spec) and a Gaussian perturbation of the same norm on the measured
 * entries. Reports the amplification ‖f(b + δ) − f(b)‖ / ‖δ‖ of each and whether the worst one
 * stays within the certified amplification bound of the certify node (only a proven bound: an
 * estimate is never checked against).
 *
 * <p>Equilibrium methods are attacked with exact gradients and tight solves whatever they were
 * trained with: implicit backward, forward and backward tolerance min(method's, {@code
 * attack.solver_tolerance}), at least 4× the method's iteration cap. The remaining solver error
 * is measured, not assumed: per image and ε, {@code solver_noise_amplification} = ‖x_a − x_b‖/(ε‖b‖)
 * for the fixed points of the same b solved from the CG-SENSE start and from zero, the
 * amplification that solver error alone can fake.
 */
public final class AttackStage implements Stage {
    /**
     * Slack on the certificate check: the reconstructions are computed in float64 with CG to a
     * relative residual of 1e-9, so amplifications can exceed an exactly attained bound by
     * rounding only.
     */
    static final double CERTIFICATE_SLACK = 1e-6;

    @Override
    public String name() {
        return "attack";
    }

    @Override
    public void run(NodeContext ctx) {
        AttackSpec spec = ctx.spec().attack();
        SimulatedSplit test = SimulatedData.load(ctx.simulated(), "test");
        Reconstructor f = TrainedMethods.load(ctx.trained(), ctx.method(), ctx.task());
        AttackResults.Solver solver = null;
        if (f instanceof DeqReconstructor deq) {
            DeqSpec tight = ProjectedGradientAttack.exactSolver(deq.deq(), spec.solverTolerance());
            f = deq.withSolver(tight);
            solver = new AttackResults.Solver(tight.backward(), tight.tolerance(), tight.maxIterations(),
                    tight.backwardTolerance(), tight.backwardMaxIterations(),
                    deq.deq().backward() + ", tolerance " + deq.deq().tolerance());
        }
        LipschitzCertificate cert = ctx.input("certify/" + ctx.task().name() + "/" + ctx.method().name())
                .json("certificate.json", LipschitzCertificate.class);
        Double bound = cert.amplificationBound();
        ProjectedGradientAttack attack = new ProjectedGradientAttack(
                new ProjectedGradientAttack.Settings(spec.steps(), spec.restarts(), spec.stepSize()));
        int n = Math.min(spec.images(), test.size());
        List<AttackResults.EpsResult> results = new ArrayList<>();
        // For a linear map the worst amplification does not depend on ε: attack once per image.
        Map<Integer, ProjectedGradientAttack.Result> linearWorst = new HashMap<>();
        Map<Integer, INDArray> clean = new HashMap<>();
        Progress progress = Progress.start(ctx.node().id() + " (eps, image)", (long) spec.eps().size() * n);
        for (int e = 0; e < spec.eps().size(); e++) {
            double eps = spec.eps().get(e);
            double worst = 0;
            double gaussianSum = 0;
            double noiseMax = 0;
            List<AttackResults.ImageAttack> perImage = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                LinearOperator op = test.operator(i, i + 1);
                INDArray b = test.measurements(i, i + 1).castTo(DataType.DOUBLE);
                double radius = eps * b.norm2Number().doubleValue();
                final Reconstructor method = f;
                INDArray x = clean.computeIfAbsent(i, k -> method.reconstruct(b, op));
                long seed = ctx.spec().seed() * 1_000_003L + 7919L * e + 31L * i;
                INDArray g = LipschitzAscent.randomDirection(b, radius, seed);
                double ampGaussian = f.reconstruct(b.add(g), op).subi(x).norm2Number().doubleValue() / radius;
                double ampWorst;
                Integer bestRestart = null;
                Integer forwardSolves = null;
                List<Double> history = null;
                if (f instanceof Reconstructor.Differentiable d) {
                    final int image = i;
                    ProjectedGradientAttack.Result r = f instanceof Reconstructor.Linear
                            ? linearWorst.computeIfAbsent(i, k -> attack.attack(d, b, x, op, radius,
                                    ctx.spec().seed() * 1_000_003L + 101L * image + 1))
                            : attack.attack(d, b, x, op, radius, seed + 1);
                    ampWorst = r.amplification();
                    bestRestart = r.bestRestart();
                    forwardSolves = r.evaluations();
                    history = r.history();
                } else {
                    ampWorst = ampGaussian;
                }
                Double noise = null;
                if (f instanceof DeqReconstructor deq) {
                    INDArray fromZero = deq.forward(b, op, x.ulike().assign(0)).x().castTo(DataType.DOUBLE);
                    noise = fromZero.subi(x).norm2Number().doubleValue() / radius;
                    noiseMax = Math.max(noiseMax, noise);
                }
                worst = Math.max(worst, ampWorst);
                gaussianSum += ampGaussian;
                perImage.add(new AttackResults.ImageAttack(i, ampWorst, bestRestart, forwardSolves, history, ampGaussian,
                        noise));
                progress.step();
            }
            results.add(new AttackResults.EpsResult(eps, worst, n == 0 ? null : gaussianSum / n,
                    bound == null ? null : worst <= bound * (1 + CERTIFICATE_SLACK), bound,
                    f instanceof DeqReconstructor ? noiseMax : null, perImage));
            ctx.tracker().logMetric(epsMetric("amplification_worst", eps), worst);
            ctx.tracker().logMetric(epsMetric("amplification_gaussian", eps), n == 0 ? Double.NaN : gaussianSum / n);
        }
        progress.close();
        String search = f instanceof Reconstructor.Differentiable
                ? "projected gradient ascent on the sphere ||delta|| = eps ||b|| (measured entries), " + spec.steps()
                        + " steps x " + spec.restarts() + " starts (random, alternating with warm restarts from the best),"
                        + " step size " + spec.stepSize() + "/sqrt(1+t)"
                : "none (method not differentiable): Gaussian only";
        AttackResults out = new AttackResults(ctx.task().name(), ctx.method().name(), bound, search, spec.steps(),
                spec.restarts(), spec.stepSize(), solver, n, results, null);
        ctx.output().writeJson("attack.json", out, "attack",
                "Error amplification ||f(b+delta)-f(b)||/||delta|| for ||delta|| = eps ||b||: worst case found"
                        + " (max over images) and Gaussian (mean over images), checked against certified_bound (a proven"
                        + " amplification bound from the certify node, null when there is none)");
    }

    /**
     * The metric key of an attack result at one ε: {@code attack.<name>.eps_<ε>} with ε in plain
     * decimal notation ({@code attack.amplification_worst.eps_0.05}), inside MLflow's key charset
     * (letters, digits, '_', '-', '.', ' ', '/'); ε is in the name, not the step, because the
     * sweep's values are not an axis that steps count along.
     */
    static String epsMetric(String name, double eps) {
        return "attack." + name + ".eps_" + java.math.BigDecimal.valueOf(eps).stripTrailingZeros().toPlainString();
    }
}
