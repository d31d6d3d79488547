package org.deqbench.attack;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deqbench.certify.LipschitzAscent;
import org.deqbench.data.SimulatedData;
import org.deqbench.data.SimulatedSplit;
import org.deqbench.physics.LinearOperator;
import org.deqbench.plan.NodeContext;
import org.deqbench.plan.Progress;
import org.deqbench.plan.Stage;
import org.deqbench.recon.Reconstructor;
import org.deqbench.spec.AttackSpec;
import org.deqbench.train.TrainedMethods;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The {@code attack} stage: for each ε of the spec and each attacked test example, the worst
 * measurement perturbation of norm ε‖b‖ found by projected gradient ascent
 * ({@link LipschitzAscent}; for a linear map it converges to the top singular vector, the exact
 * worst case) and a Gaussian perturbation of the same norm on the measured entries. Reports the
 * amplification ‖f(b + δ) − f(b)‖ / ‖δ‖ of each and whether the worst one stays within the
 * certified bound of the certify node.
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
        JsonNode cert = ctx.input("certify/" + ctx.task().name() + "/" + ctx.method().name()).json("certificate.json");
        Double upper = cert.hasNonNull("lipschitz_upper") ? cert.get("lipschitz_upper").asDouble() : null;
        int n = Math.min(spec.images(), test.size());
        List<Map<String, Object>> results = new ArrayList<>();
        // For a linear map the amplification of the worst direction does not depend on ε: ascend once
        // per image and reuse it for every ε.
        Map<Integer, LipschitzAscent.Result> linearWorst = new java.util.HashMap<>();
        Progress progress = Progress.start(ctx.node().id() + " (eps, image)", (long) spec.eps().size() * n);
        for (int e = 0; e < spec.eps().size(); e++) {
            double eps = spec.eps().get(e);
            double worst = 0;
            double gaussianSum = 0;
            List<Map<String, Object>> perImage = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                LinearOperator op = test.operator(i, i + 1);
                INDArray b = test.measurements(i, i + 1).castTo(DataType.DOUBLE);
                double radius = eps * b.norm2Number().doubleValue();
                INDArray x = f.reconstruct(b, op);
                long seed = ctx.spec().seed() * 1_000_003L + 7919L * e + i;
                INDArray g = LipschitzAscent.randomDirection(b, radius, seed);
                double ampGaussian = f.reconstruct(b.add(g), op).subi(x).norm2Number().doubleValue() / radius;
                double ampWorst;
                int steps;
                if (f instanceof Reconstructor.Linear lin) {
                    final int image = i;
                    LipschitzAscent.Result r = linearWorst.computeIfAbsent(i, k -> LipschitzAscent.maximise(lin, b, op,
                            radius, spec.steps(), 0.0, ctx.spec().seed() * 1_000_003L + image + 1));
                    ampWorst = r.amplification();
                    steps = r.steps();
                } else if (f instanceof Reconstructor.Differentiable d) {
                    LipschitzAscent.Result r = LipschitzAscent.maximise(d, b, op, radius, spec.steps(), 0.0, seed + 1);
                    ampWorst = r.amplification();
                    steps = r.steps();
                } else {
                    ampWorst = ampGaussian;
                    steps = 0;
                }
                worst = Math.max(worst, ampWorst);
                gaussianSum += ampGaussian;
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("index", i);
                row.put("amplification_worst", ampWorst);
                row.put("amplification_gaussian", ampGaussian);
                row.put("ascent_steps", steps);
                perImage.add(row);
                progress.step();
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("eps", eps);
            r.put("amplification_worst", worst);
            r.put("amplification_gaussian", n == 0 ? null : gaussianSum / n);
            r.put("within_certificate", upper == null ? null : worst <= upper * (1 + CERTIFICATE_SLACK));
            r.put("per_image", perImage);
            results.add(r);
            ctx.tracker().logMetric("amplification_worst", worst, e);
            ctx.tracker().logMetric("amplification_gaussian", n == 0 ? Double.NaN : gaussianSum / n, e);
        }
        progress.close();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("task", ctx.task().name());
        out.put("method", ctx.method().name());
        out.put("lipschitz_upper", upper);
        out.put("attack", f instanceof Reconstructor.Differentiable
                ? "projected gradient ascent, " + spec.steps() + " steps" : "none (method not differentiable): Gaussian only");
        out.put("images", n);
        out.put("results", results);
        ctx.output().writeJson("attack.json", out, "attack",
                "Error amplification ||f(b+delta)-f(b)||/||delta|| for ||delta|| = eps ||b||: worst case found"
                        + " (max over images) and Gaussian (mean over images), checked against lipschitz_upper");
    }
}
