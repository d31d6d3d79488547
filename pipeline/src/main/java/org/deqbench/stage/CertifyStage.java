package org.deqbench.stage;

import org.deqbench.certify.LipschitzAscent;
import org.deqbench.certify.LipschitzCertificate;
import org.deqbench.certify.MonotoneBound;
import java.util.ArrayList;
import java.util.List;
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
import org.deqbench.train.MethodDescription;
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
        MonotoneBound mol = monotoneBound(f, ctx.trained().json("method.json", MethodDescription.class), test.operator(0, 1).domainShape());
        int n = Math.min(spec.images(), test.size());
        List<LipschitzCertificate.ImageBound> perImage = new ArrayList<>();
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
            Double operatorTerm = null;
            String binding = null;
            if (mol != null) {
                double t = mol.operatorTerm(op.normBound());
                operatorTerm = Double.isNaN(t) ? null : t;
                binding = mol.binding(op.normBound());
            }
            Double rowLower = null;
            Integer rowIterations = null;
            Double rowResidual = null;
            String lowerMethod = null;
            if (f instanceof Reconstructor.Linear lin) {
                // Lanczos on R^T R: Ritz values never exceed the top eigenvalue, so this is a lower
                // bound, and it converges in far fewer products than power iteration.
                Operators.NormEstimate est = Operators.norm(asOperator(lin, op), 1, spec.powerIterations(),
                        spec.tolerance(), ctx.spec().seed() + i);
                rowLower = est.norm();
                rowIterations = est.iterations();
                rowResidual = est.relativeChange();
                lowerMethod = "Lanczos on R^T R";
            } else if (f instanceof Reconstructor.Differentiable d) {
                LipschitzAscent.Result r = LipschitzAscent.maximise(d, b, op,
                        LOCAL_RADIUS * b.norm2Number().doubleValue(), spec.powerIterations(), spec.tolerance(),
                        ctx.spec().seed() + i);
                rowLower = r.amplification();
                rowIterations = r.steps();
                rowResidual = r.residual();
                lowerMethod = "adversarial ascent";
            }
            if (rowLower != null) {
                lower = Math.max(lower, rowLower);
                iterations = Math.max(iterations, rowIterations);
                residual = Math.max(residual, rowResidual);
                ctx.tracker().logMetric("lipschitz_lower", rowLower, i);
            }
            if (!Double.isNaN(u)) {
                upper = Math.max(upper, u);
                ctx.tracker().logMetric("lipschitz_upper", u, i);
            }
            perImage.add(new LipschitzCertificate.ImageBound(i, Double.isNaN(u) ? null : u, operatorTerm, binding,
                    rowLower, rowIterations, rowResidual, lowerMethod));
            progress.step();
        }
        progress.close();
        boolean certified = proven && n > 0;
        double normA = n > 0 ? worstNormBound(test, n) : Double.NaN;
        LipschitzCertificate cert = LipschitzCertificate.of(ctx.task().name(), ctx.method().name(),
                certified ? LipschitzCertificate.CERTIFICATE : LipschitzCertificate.ESTIMATE, certified ? upper : null,
                f instanceof Reconstructor.Differentiable ? lower : null, iterations, residual, n,
                mol != null ? mol.describe(normA) : describe(f, n > 0 ? test.operator(0, 1) : null), perImage);
        if (mol != null) {
            cert = cert.withMonotone(mol.terms(normA), LIPSCHITZ_H_METHOD, certified ? upper : null);
        }
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
    static MonotoneBound monotoneBound(Reconstructor f, MethodDescription method,
                                       long[] imageShape) {
        if (!(f instanceof DeqReconstructor d)) {
            return null;
        }
        // the network's bound on the images' spatial axes: [H, W], or [frames or slices, H, W]
        long[] spatial = java.util.Arrays.copyOfRange(imageShape, 1, imageShape.length);
        int[] grid = java.util.Arrays.stream(spatial).mapToInt(Math::toIntExact).toArray();
        double l = ConvolutionNormBound.chain(d.network().layerOperators(spatial).stream()
                .map(org.deqbench.nn.ConvolutionOperator::weight).toList(), d.network().activationLipschitz(), grid);
        Double alpha = method.number("alpha");
        return MonotoneBound.of(l, d.lambda(), alpha != null ? alpha : d.deq().alpha());
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

    private static String describe(Reconstructor f, LinearOperator op) {
        if (f instanceof org.deqbench.recon.CgSense c) {
            return "||(A^H A + lambda I)^-1 A^H|| <= max_{0<=s<=||A||} s/(s^2+lambda) <= 1/(2 sqrt(lambda)), lambda = " + c.lambda();
        }
        if (f instanceof org.deqbench.recon.ZeroFilled) {
            return op != null && op.normBoundIsExact()
                    ? "||A^H|| = ||A||, the exact norm the operator proves (" + op.describe() + ")"
                    : "||A^H|| = ||A|| <= the operator's proven norm bound";
        }
        return f.getClass().getSimpleName();
    }
}
