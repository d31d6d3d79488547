package org.deqbench.certify;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.deqbench.physics.LinearOperator;
import org.deqbench.recon.Reconstructor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Maximises ‖f(b + δ) − f(b)‖ over perturbations on the sphere ‖δ‖ = r restricted to the measured
 * entries, by normalised projected gradient ascent:
 * <pre>
 *   d = f(b + δ) − f(b),   g = P(J_f(b + δ)^T d),   δ ← r g / ‖g‖
 * </pre>
 * (∇_δ ½‖f(b+δ) − f(b)‖² = J^T d). For a linear map f(b) = R b this is exactly power iteration on
 * R^T R, so the ratio converges to ‖R‖ from below; for a nonlinear map it is the adversarial
 * ascent of Antun et al. (PNAS 2020) and Genzel et al. (TPAMI 2022). Either way the best ratio
 * found is a lower bound on the (local) Lipschitz constant, never a certificate.
 *
 * <p>P keeps δ on the measured entries: entries of b that are exactly zero (unsampled k-space
 * locations, stored as zeros) are not measurements and are never perturbed.
 */
public final class LipschitzAscent {
    /** Outcome: the best perturbation found, its amplification and the ascent's history. */
    public record Result(INDArray delta, double amplification, int steps, double residual, List<Double> history) {
    }

    private LipschitzAscent() {
    }

    /** A random perturbation of norm r on the measured entries (seeded Gaussian direction). */
    public static INDArray randomDirection(INDArray b, double r, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] g = new double[(int) b.length()];
        for (int i = 0; i < g.length; i++) {
            g[i] = nextGaussian(random);
        }
        INDArray d = Nd4j.create(g, b.shape(), b.dataType()).muli(b.neq(0.0).castTo(b.dataType()));
        return d.muli(r / d.norm2Number().doubleValue());
    }

    static double nextGaussian(SplittableRandom random) {
        double u1 = random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(1.0 - u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /**
     * @param f         a differentiable reconstruction map
     * @param b         one example's measurements [1, range...] (float64 recommended)
     * @param op        its forward operator
     * @param radius    ‖δ‖
     * @param steps     ascent steps (each costs one forward and one VJP of f)
     * @param tolerance stop when the amplification's relative change is below this
     * @param seed      seed of the starting direction
     */
    public static Result maximise(Reconstructor.Differentiable f, INDArray b, LinearOperator op, double radius,
                                  int steps, double tolerance, long seed) {
        INDArray mask = b.neq(0.0).castTo(b.dataType());
        INDArray x = f.reconstruct(b, op);
        INDArray delta = randomDirection(b, radius, seed);
        INDArray best = delta;
        double bestAmp = -1;
        double previous = Double.NaN;
        double change = Double.POSITIVE_INFINITY;
        List<Double> history = new ArrayList<>();
        int k = 0;
        for (; k < steps; k++) {
            INDArray perturbed = b.add(delta);
            INDArray d = f.reconstruct(perturbed, op).subi(x);
            double amp = d.norm2Number().doubleValue() / radius;
            history.add(amp);
            if (amp > bestAmp) {
                bestAmp = amp;
                best = delta;
            }
            change = Double.isNaN(previous) ? Double.POSITIVE_INFINITY : Math.abs(amp - previous) / Math.max(amp, 1e-300);
            previous = amp;
            if (change <= tolerance) {
                k++;
                break;
            }
            INDArray g = f.measurementVjp(perturbed, op, d).muli(mask);
            double gn = g.norm2Number().doubleValue();
            if (!(gn > 0)) {
                k++;
                break;
            }
            delta = g.muli(radius / gn);
        }
        return new Result(best, bestAmp, k, change, history);
    }
}
