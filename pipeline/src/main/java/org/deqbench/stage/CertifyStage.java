package org.deqbench.stage;

import org.deqbench.certify.LipschitzAscent;
import org.deqbench.certify.MonotoneBound;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deqbench.data.SimulatedData;
import org.deqbench.data.SimulatedSplit;
import org.deqbench.physics.LinearOperator;
import org.deqbench.physics.Operators;
import org.deqbench.plan.NodeContext;
import org.deqbench.progress.Progress;
import org.deqbench.plan.Stage;
import org.deqbench.nn.ConvolutionNormBound;
import org.deqbench.recon.DeqReconstructor;
import org.deqbench.recon.Reconstructor;
import org.deqbench.spec.CertifySpec;
import org.deqbench.train.TrainedMethods;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The {@code certify} stage: for each certified test example, an upper bound on the Lipschitz
 * constant of b ↦ f(b) where the method proves one ({@link Reconstructor#lipschitzUpperBound}),
 * and a lower bound: Lanczos on R^T R for linear maps, {@link LipschitzAscent} otherwise. Written as
 * {@code certificate.json}; {@code kind} is {@code certificate} only when an upper bound is proven,
 * otherwise {@code estimate}.
 *
 * <p>For a deep-equilibrium method the network's Lipschitz constant L(H) is bounded here, from the
 * trained weights and the test images' size, by {@link ConvolutionNormBound#chain} (a proof, not the
 * Lanczos estimate spectral normalisation divides by); when it is below 1 the reconstruction map
 * gets {@link MonotoneBound}'s certificate min(λ‖A‖/m, ½√(λ/m)), with both terms and which binds.
 */
public final class CertifyStage implements Stage {
    /** Relative radius of the local perturbation used for the lower bound. */
    static final double LOCAL_RADIUS = 1e-3;

    @Override
    public String name() {
        return "certify";
    }

    @Override
    public void run(NodeContext ctx) {
        CertifySpec spec = ctx.spec().certify();
        SimulatedSplit test = SimulatedData.load(ctx.simulated(), "test");
        Reconstructor f = TrainedMethods.load(ctx.trained(), ctx.method(), ctx.task());
        MonotoneBound mol = monotoneBound(f, ctx.trained().json("method.json"), test.operator(0, 1).domainShape());
        int n = Math.min(spec.images(), test.size());
        List<Map<String, Object>> perImage = new ArrayList<>();
        double upper = Double.NEGATIVE_INFINITY;
        double lower = 0;
        int iterations = 0;
        double residual = 0;
        boolean proven = true;
        Progress progress = Progress.start(ctx.node().id() + " images", n);
        for (int i = 0; i < n; i++) {
            LinearOperator op = test.operator(i, i + 1);
            INDArray b = test.measurements(i, i + 1).castTo(DataType.DOUBLE);
            double u = mol != null ? mol.reconstructionBound(op.normBound()) : f.lipschitzUpperBound(op);
            proven &= !Double.isNaN(u);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("index", i);
            row.put("lipschitz_upper", Double.isNaN(u) ? null : u);
            if (mol != null) {
                row.put("lambda_norm_a_over_m", Double.isNaN(mol.operatorTerm(op.normBound())) ? null
                        : mol.operatorTerm(op.normBound()));
                row.put("binding_term", mol.binding(op.normBound()));
            }
            if (f instanceof Reconstructor.Linear lin) {
                // Lanczos on R^T R: Ritz values never exceed the top eigenvalue, so this is a lower
                // bound, and it converges in far fewer products than power iteration.
                Operators.NormEstimate est = Operators.norm(asOperator(lin, op), 1, spec.powerIterations(),
                        spec.tolerance(), ctx.spec().seed() + i);
                row.put("lipschitz_lower", est.norm());
                row.put("iterations", est.iterations());
                row.put("residual", est.relativeChange());
                row.put("lower_bound_method", "Lanczos on R^T R");
                lower = Math.max(lower, est.norm());
                iterations = Math.max(iterations, est.iterations());
                residual = Math.max(residual, est.relativeChange());
                ctx.tracker().logMetric("lipschitz_lower", est.norm(), i);
            } else if (f instanceof Reconstructor.Differentiable d) {
                LipschitzAscent.Result r = LipschitzAscent.maximise(d, b, op,
                        LOCAL_RADIUS * b.norm2Number().doubleValue(), spec.powerIterations(), spec.tolerance(),
                        ctx.spec().seed() + i);
                row.put("lipschitz_lower", r.amplification());
                row.put("iterations", r.steps());
                row.put("residual", r.residual());
                row.put("lower_bound_method", "adversarial ascent");
                lower = Math.max(lower, r.amplification());
                iterations = Math.max(iterations, r.steps());
                residual = Math.max(residual, r.residual());
                ctx.tracker().logMetric("lipschitz_lower", r.amplification(), i);
            }
            if (!Double.isNaN(u)) {
                upper = Math.max(upper, u);
                ctx.tracker().logMetric("lipschitz_upper", u, i);
            }
            perImage.add(row);
            progress.step();
        }
        progress.close();
        Map<String, Object> cert = new LinkedHashMap<>();
        cert.put("task", ctx.task().name());
        cert.put("method", ctx.method().name());
        cert.put("kind", proven && n > 0 ? "certificate" : "estimate");
        cert.put("lipschitz_upper", proven && n > 0 ? upper : null);
        cert.put("lipschitz_lower", f instanceof Reconstructor.Differentiable ? lower : null);
        cert.put("iterations", iterations);
        cert.put("residual", residual);
        cert.put("images", n);
        double normA = n > 0 ? worstNormBound(test, n) : Double.NaN;
        cert.put("bound", mol != null ? mol.describe(normA) : describe(f));
        if (mol != null) {
            cert.putAll(mol.describeTerms(normA));
            cert.put("lipschitz_h_method", LIPSCHITZ_H_METHOD);
            cert.put("robustness_factor", proven && n > 0 ? upper : null);
        }
        cert.put("per_image", perImage);
        ctx.output().writeJson("certificate.json", cert, "certificate",
                "Lipschitz constant of the reconstruction map b -> x: lipschitz_upper is a proven bound"
                        + " (null when the method has none), lipschitz_lower the largest amplification found by"
                        + " ascent (power iteration for linear maps) at relative radius " + LOCAL_RADIUS);
    }

    /** How the certified L(H) is obtained (written beside it). */
    static final String LIPSCHITZ_H_METHOD = "product over layers of proven convolution norm bounds (max over the DFT"
            + " frequencies of a grid of image + kernel - 1 of sigma_max of the kernel's transfer matrix, verified by"
            + " Cholesky with rounding accounted for) times the activation's Lipschitz constant";

    /**
     * MOL's certificate for a deep-equilibrium method whose network is proven L-Lipschitz with
     * L < 1 on the task's image size (computed here from the trained weights, not read from the
     * train node's numbers), else null.
     */
    static MonotoneBound monotoneBound(Reconstructor f, com.fasterxml.jackson.databind.JsonNode method,
                                       long[] imageShape) {
        if (!(f instanceof DeqReconstructor d)) {
            return null;
        }
        // the network's bound on the images' spatial axes: [H, W], or [frames or slices, H, W]
        long[] spatial = java.util.Arrays.copyOfRange(imageShape, 1, imageShape.length);
        int[] grid = java.util.Arrays.stream(spatial).mapToInt(Math::toIntExact).toArray();
        double l = ConvolutionNormBound.chain(d.network().layerOperators(spatial).stream()
                .map(org.deqbench.nn.ConvolutionOperator::weight).toList(), d.network().activationLipschitz(), grid);
        return MonotoneBound.of(l, d.lambda(), method.path("alpha").asDouble(d.deq().alpha()));
    }

    private static double worstNormBound(SimulatedSplit test, int n) {
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double b = test.operator(i, i + 1).normBound();
            if (Double.isNaN(b)) {
                return Double.NaN;
            }
            worst = Math.max(worst, b);
        }
        return worst;
    }

    /** The linear reconstruction map R of one example as an operator from measurements to images. */
    static LinearOperator asOperator(Reconstructor.Linear r, LinearOperator op) {
        return new LinearOperator() {
            @Override public long[] domainShape() { return op.rangeShape(); }
            @Override public long[] rangeShape() { return op.domainShape(); }
            @Override public INDArray apply(INDArray b) { return r.reconstruct(b, op); }
            @Override public INDArray adjoint(INDArray x) { return r.adjointMap(x, op); }
            @Override public String describe() { return "reconstruction map of " + op.describe(); }
        };
    }

    private static String describe(Reconstructor f) {
        if (f instanceof org.deqbench.recon.CgSense c) {
            return "||(A^H A + lambda I)^-1 A^H|| <= max_{0<=s<=||A||} s/(s^2+lambda) <= 1/(2 sqrt(lambda)), lambda = " + c.lambda();
        }
        if (f instanceof org.deqbench.recon.ZeroFilled) {
            return "||A^H|| = ||A|| <= the operator's proven norm bound";
        }
        return f.getClass().getSimpleName();
    }
}
