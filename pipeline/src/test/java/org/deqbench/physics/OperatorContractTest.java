package org.deqbench.physics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.stream.Stream;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The properties every {@link LinearOperator} must have, checked on every entry of
 * {@link OperatorRegistry#all()}.
 */
class OperatorContractTest {
    static Stream<OperatorRegistry.Entry> operators() {
        return OperatorRegistry.all().stream();
    }

    private static double dot(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).mul(b.castTo(DataType.DOUBLE)).sumNumber().doubleValue();
    }

    private static double norm(INDArray a) {
        return a.castTo(DataType.DOUBLE).norm2Number().doubleValue();
    }

    /**
     * ⟨A x, y⟩ = ⟨x, A^H y⟩ on random inputs, relative to ‖A x‖‖y‖ (the Cauchy–Schwarz scale of both
     * sides, immune to cancellation in the inner product). float64: 1e-12 (round-off of O(n log n)
     * sums); float32: 1e-5 (inputs and outputs rounded to float32, computation in double).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("operators")
    void adjointMatchesForwardForEveryOperator(OperatorRegistry.Entry e) {
        for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            LinearOperator a = e.create().get();
            Random rng = new Random(42);
            INDArray x = OperatorRegistry.randomBatch(e.batch(), a.domainShape(), rng, type);
            INDArray y = OperatorRegistry.randomBatch(e.batch(), a.rangeShape(), rng, type);
            INDArray ax = a.apply(x);
            INDArray ahy = a.adjoint(y);
            assertEquals(type, ax.dataType(), "apply keeps the input dtype");
            assertEquals(type, ahy.dataType(), "adjoint keeps the input dtype");
            assertArrayEquals(y.shape(), ax.shape(), "apply returns [B, rangeShape]");
            assertArrayEquals(x.shape(), ahy.shape(), "adjoint returns [B, domainShape]");
            double lhs = dot(ax, y);
            double rhs = dot(x, ahy);
            double scale = norm(ax) * norm(y);
            double tol = type == DataType.DOUBLE ? 1e-12 : 1e-5;
            assertTrue(scale > 0, "A x must not vanish on a random input");
            assertTrue(Math.abs(lhs - rhs) <= tol * scale, e.name() + " " + type + ": <Ax,y> = " + lhs
                    + ", <x,A^H y> = " + rhs + ", relative error " + Math.abs(lhs - rhs) / scale + " > " + tol);
        }
    }

    /** normal(x) = adjoint(apply(x)) in float64, to 1e-12 relative (round-off). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("operators")
    void normalEqualsAdjointOfApplyForEveryOperator(OperatorRegistry.Entry e) {
        LinearOperator a = e.create().get();
        INDArray x = OperatorRegistry.randomBatch(e.batch(), a.domainShape(), new Random(7), DataType.DOUBLE);
        INDArray direct = a.adjoint(a.apply(x));
        INDArray normal = a.normal(x);
        assertArrayEquals(direct.shape(), normal.shape());
        double rel = norm(direct.sub(normal)) / norm(direct);
        assertTrue(rel <= 1e-12, e.name() + ": ‖normal − adjoint∘apply‖ / ‖adjoint∘apply‖ = " + rel);
    }

    /**
     * The operator norm agrees with the largest singular value σ of the dense matrix of A (built
     * column by column from basis vectors; SVD by Commons Math): {@link Operators#norm} (Krylov /
     * Lanczos) to 1e-8 relative — it stops at a relative change of 1e-14 in σ² or when the Krylov
     * space is exhausted, so only round-off remains; plain {@link Operators#powerIteration} never
     * exceeds σ (a Rayleigh quotient; 1e-12 slack for round-off) and is within 1e-2 after 100
     * steps — not tighter, because batched MRI operators have many singular values just below the
     * top one, where power iteration converges slowly.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("operators")
    void operatorNormMatchesDenseMatrixForEveryOperator(OperatorRegistry.Entry e) {
        LinearOperator a = e.create().get();
        long[] ds = a.domainShape();
        long n = e.batch();
        for (long d : ds) {
            n *= d;
        }
        long[] full = new long[ds.length + 1];
        full[0] = e.batch();
        System.arraycopy(ds, 0, full, 1, ds.length);
        double[][] cols = new double[(int) n][];
        for (int j = 0; j < n; j++) {
            double[] basis = new double[(int) n];
            basis[j] = 1;
            cols[j] = HostArrays.toDouble(a.apply(HostArrays.fromDouble(basis, full, DataType.DOUBLE)));
        }
        double[][] dense = new double[cols[0].length][(int) n];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < cols[j].length; i++) {
                dense[i][j] = cols[j][i];
            }
        }
        double sigma = new SingularValueDecomposition(new Array2DRowRealMatrix(dense, false)).getNorm();
        Operators.NormEstimate lanczos = Operators.norm(a, e.batch(), 400, 1e-14, 5);
        // 1e-6: MRI operators have many singular values clustered just below 1 (normalised coil
        // maps), where a converged Ritz value can sit ~1e-8 below the top one.
        assertEquals(sigma, lanczos.norm(), 1e-6 * sigma, e.name() + ": Krylov estimate " + lanczos + " vs SVD " + sigma);
        Operators.NormEstimate power = Operators.powerIteration(a, e.batch(), 100, 1e-14, 5);
        assertTrue(power.norm() <= sigma * (1 + 1e-12), e.name() + ": power iteration " + power + " above SVD " + sigma);
        assertEquals(sigma, power.norm(), 1e-2 * sigma, e.name() + ": power iteration " + power + " vs SVD " + sigma);
        double bound = a.normBound();
        if (!Double.isNaN(bound)) {
            // a proven bound may be loose but never below the true norm (float64 rounding only)
            assertTrue(bound >= sigma * (1 - 1e-12), e.name() + ": normBound " + bound + " below the SVD norm " + sigma);
        }
        if (a.normBoundIsExact()) {
            // claimed exact: equal to the SVD's σ up to float64 round-off of the FFT and the SVD
            assertEquals(sigma, bound, 1e-10 * Math.max(sigma, 1), e.name() + ": exact normBound vs SVD");
        }
    }

    /**
     * Every restoration operator (denoise, deblur, super-resolution, inpainting) declares a proven
     * norm that is exact, so certificates of linear methods on them are proofs, not estimates.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("operators")
    void restorationOperatorsDeclareExactNorms(OperatorRegistry.Entry e) {
        if (!java.util.Set.of("denoise", "deblur", "super-resolution", "inpaint", "blur-asymmetric-kernel",
                "decimation-x3", "blur-mixed-sign-kernel", "super-resolution-x3-mixed-sign-kernel").contains(e.name())) {
            return;
        }
        LinearOperator a = e.create().get();
        assertTrue(!Double.isNaN(a.normBound()) && a.normBoundIsExact(), e.name() + " declares no exact norm");
    }
}
