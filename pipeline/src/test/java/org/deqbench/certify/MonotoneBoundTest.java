package org.deqbench.certify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.junit.jupiter.api.Test;

/**
 * MOL's robustness certificate on linear monotone instances, where the fixed point of
 * λA^T(Ax − b) + x − Hx = 0 is x = R b with R = (λA^T A + I − H)^{-1} λA^T, so the Lipschitz constant
 * of b ↦ x is exactly σ_max(R) (dense SVD).
 */
class MonotoneBoundTest {

    /**
     * 200 random instances (H a random orthogonal or Gaussian matrix scaled to ‖H‖ = 1 − m, m and λ
     * over decades). First A is a Gaussian matrix of random scale: the certificate is never below
     * the true constant (to 1e-10 relative, the SVD's accuracy). Then A has singular values spread
     * log-uniformly over [0.1, 10]·√(m/λ) (the regime of undersampled MRI, whose A^H A has
     * eigenvalues from 0 to 1) and H is symmetric with eigenvalues in [(1 − m)/2, 1 − m] (near
     * its worst case): there it is also at most 4× the true constant (median printed). It is not
     * tight for every instance: it ignores A's small singular values (a well-conditioned A with
     * s_min ≫ √(m/λ) has a true constant near 1/s_min) and the directions in which F is more than
     * m-monotone (a random orthogonal or Gaussian H: with the spread A above, ratios up to 22).
     */
    @Test
    void neverBelowTheTrueLipschitzConstantAndTightWithinSmallFactor() {
        SplittableRandom random = new SplittableRandom(2023);
        double worstRatio = 0;
        double[] ratios = new double[200];
        for (int trial = 0; trial < 2 * ratios.length; trial++) {
            boolean spread = trial >= ratios.length;
            int n = 6 + random.nextInt(8);
            int p = 3 + random.nextInt(n);
            double m = Math.pow(10, -2 + 2 * random.nextDouble());
            double lambda = Math.pow(10, -1 + 3 * random.nextDouble());
            RealMatrix h = spread ? symmetricNearTop(n, random)
                    : trial % 2 == 0 ? orthogonal(n, random) : gaussian(n, n, random);
            h = h.scalarMultiply((1 - m) / norm(h));
            RealMatrix a = spread ? spreadSpectrum(p, n, Math.sqrt(m / lambda), random)
                    : gaussian(p, n, random).scalarMultiply(Math.pow(10, -2 + 2 * random.nextDouble()));
            double truth = norm(reconstructionMap(a, h, lambda));
            MonotoneBound bound = MonotoneBound.of(1 - m, lambda, 0.5);
            double certificate = bound.reconstructionBound(norm(a));
            double ratio = certificate / truth;
            assertTrue(ratio >= 1 - 1e-10, "trial " + trial + ": certificate " + certificate + " below " + truth);
            if (spread) {
                ratios[trial - ratios.length] = ratio;
                worstRatio = Math.max(worstRatio, ratio);
            }
        }
        java.util.Arrays.sort(ratios);
        System.out.printf("certificate / true Lipschitz constant: median %.3f, max %.3f%n", ratios[100], worstRatio);
        assertTrue(worstRatio <= 4, "certificate up to " + worstRatio + " times the true constant");
    }

    /**
     * H = (1 − m)I and A with singular value √(m/λ): the true constant is ½√(λ/m) exactly, so
     * the certificate is attained (to 1e-10) and cannot be improved.
     */
    @Test
    void attainedWhenHIsAScaledIdentity() {
        double m = 0.1;
        double lambda = 50;
        int n = 5;
        RealMatrix h = MatrixUtils.createRealIdentityMatrix(n).scalarMultiply(1 - m);
        RealMatrix a = MatrixUtils.createRealDiagonalMatrix(new double[] {Math.sqrt(m / lambda), 0.3, 1, 2, 0.01});
        double truth = norm(reconstructionMap(a, h, lambda));
        MonotoneBound bound = MonotoneBound.of(1 - m, lambda, 0.01);
        assertEquals(0.5 * Math.sqrt(lambda / m), truth, 1e-10 * truth);
        assertEquals(truth, bound.reconstructionBound(norm(a)), 1e-10 * truth);
        assertEquals("half_sqrt_lambda_over_m", bound.binding(norm(a)));
        // the paper's term is 1000/... larger here
        assertTrue(bound.operatorTerm(norm(a)) > 10 * truth);
    }

    /**
     * With a tiny ‖A‖ the paper's λ‖A‖/m is the smaller term and binds; both are proven, so the
     * certificate is still above the truth.
     */
    @Test
    void operatorTermBindsForSmallOperatorNorm() {
        SplittableRandom random = new SplittableRandom(5);
        RealMatrix h = orthogonal(6, random).scalarMultiply(0.5);
        RealMatrix a = gaussian(4, 6, random).scalarMultiply(1e-4);
        MonotoneBound bound = MonotoneBound.of(0.5, 10, 1.0);
        double normA = norm(a);
        assertEquals("lambda_norm_a_over_m", bound.binding(normA));
        assertEquals(10 * normA / 0.5, bound.reconstructionBound(normA), 1e-12);
        assertTrue(bound.reconstructionBound(normA) >= norm(reconstructionMap(a, h, 10)));
    }

    /**
     * The step x − αF(x) = (1 − α)x + αH(x) for H = (1 − m)Q (Q orthogonal, the worst case of a
     * linear H) has Lipschitz constant at most 1 − αm for α ≤ 1 (attained by H = (1 − m)I) and
     * α(2 − m) − 1 beyond (attained by H = −(1 − m)I), the factor reported; so every α below
     * 2/(2 − m) contracts, far beyond the general 2m/(2 − m)².
     */
    @Test
    void contractionFactorOfTheStepIsOneMinusAlphaM() {
        SplittableRandom random = new SplittableRandom(11);
        int n = 7;
        double m = 0.2;
        RealMatrix h = MatrixUtils.createRealIdentityMatrix(n).scalarMultiply(1 - m);
        MonotoneBound bound = MonotoneBound.of(1 - m, 1, Double.NaN);
        for (double alpha : new double[] {0.01, 0.3, 1.0, 1.5}) {
            // the worst linear H: +(1 − m)I for α ≤ 1, −(1 − m)I beyond
            RealMatrix step = MatrixUtils.createRealIdentityMatrix(n).scalarMultiply(1 - alpha)
                    .add(h.scalarMultiply(alpha <= 1 ? alpha : -alpha));
            assertEquals(norm(step), bound.contractionFactor(alpha), 1e-12, "alpha " + alpha);
            RealMatrix q = orthogonal(n, random).scalarMultiply(1 - m);
            RealMatrix general = MatrixUtils.createRealIdentityMatrix(n).scalarMultiply(1 - alpha)
                    .add(q.scalarMultiply(alpha));
            assertTrue(norm(general) <= bound.contractionFactor(alpha) + 1e-12, "alpha " + alpha);
        }
        assertTrue(bound.contractionFactor(0.999 * bound.alphaLimit()) < 1);
        assertTrue(bound.alphaLimit() > 2 * m / Math.pow(2 - m, 2));
        assertNull(MonotoneBound.of(1.0, 1, 0.1), "no margin, no certificate");
    }

    private static RealMatrix reconstructionMap(RealMatrix a, RealMatrix h, double lambda) {
        int n = h.getRowDimension();
        RealMatrix system = a.transpose().multiply(a).scalarMultiply(lambda)
                .add(MatrixUtils.createRealIdentityMatrix(n)).subtract(h);
        return new LUDecomposition(system).getSolver().getInverse().multiply(a.transpose().scalarMultiply(lambda));
    }

    private static double norm(RealMatrix a) {
        return new SingularValueDecomposition(a).getNorm();
    }

    private static RealMatrix gaussian(int rows, int cols, SplittableRandom random) {
        double[][] v = new double[rows][cols];
        for (double[] row : v) {
            for (int j = 0; j < cols; j++) {
                row[j] = LipschitzAscent.nextGaussian(random);
            }
        }
        return new Array2DRowRealMatrix(v, false);
    }

    /** V diag(d) V^T with d₁ = 1 and the others uniform in [0.5, 1]: H close to its worst case. */
    private static RealMatrix symmetricNearTop(int n, SplittableRandom random) {
        RealMatrix v = orthogonal(n, random);
        RealMatrix d = new Array2DRowRealMatrix(n, n);
        for (int i = 0; i < n; i++) {
            d.setEntry(i, i, i == 0 ? 1 : 0.5 + 0.5 * random.nextDouble());
        }
        return v.multiply(d).multiply(v.transpose());
    }

    /** U diag(s) V^T with min(p, n) singular values log-uniform in [0.1, 10]·centre. */
    private static RealMatrix spreadSpectrum(int p, int n, double centre, SplittableRandom random) {
        RealMatrix u = orthogonal(p, random);
        RealMatrix v = orthogonal(n, random);
        RealMatrix s = new Array2DRowRealMatrix(p, n);
        for (int i = 0; i < Math.min(p, n); i++) {
            s.setEntry(i, i, centre * Math.pow(10, -1 + 2 * random.nextDouble()));
        }
        return u.multiply(s).multiply(v.transpose());
    }

    private static RealMatrix orthogonal(int n, SplittableRandom random) {
        return new QRDecomposition(gaussian(n, n, random)).getQ();
    }
}
