package org.deqbench.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.EluBp;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.SoftPlusBp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The activations a network may use, as SameDiff ops, with their derivatives as ordinary ops (for
 * ELDER's explicit ∇R, which must be differentiable once more by first-order autodiff) and their
 * Lipschitz constants (for certificates). All three are 1-Lipschitz. The same functions on arrays
 * ({@link #apply(INDArray)}, {@link #backward}) serve {@link DirectConvNet}.
 */
enum Activation {
    /** max(z, 0). Its derivative is a step: not usable where a second derivative is needed. */
    RELU("relu") {
        @Override
        SDVariable apply(SameDiff sd, SDVariable z) {
            return sd.nn().relu(z, 0);
        }

        @Override
        SDVariable derivative(SameDiff sd, SDVariable z) {
            throw new IllegalArgumentException("relu has no smooth derivative; ELDER needs network.activation"
                    + " elu or softplus");
        }

        @Override
        SDVariable tangentDerivative(SameDiff sd, SDVariable z) {
            return sd.math().step(z, 0.0);
        }

        @Override
        INDArray apply(INDArray z) {
            return Transforms.relu(z, true);
        }

        @Override
        INDArray backward(INDArray z, INDArray g, INDArray out) {
            Nd4j.exec(DynamicCustomOp.builder("relu_bp").addInputs(z, g).addOutputs(out)
                    .addFloatingPointArguments(0.0).build());
            return out;
        }
    },
    /** z for z &gt; 0, e^z − 1 otherwise (α = 1); φ'(z) = min(e^z, 1). */
    ELU("elu") {
        @Override
        SDVariable apply(SameDiff sd, SDVariable z) {
            return sd.nn().elu(z);
        }

        @Override
        SDVariable derivative(SameDiff sd, SDVariable z) {
            // min(e^z, 1) equals 1 for z ≥ 0 and e^z below, with a gradient SameDiff can take.
            return sd.math().min(sd.math().exp(z), sd.onesLike(z));
        }

        @Override
        INDArray apply(INDArray z) {
            return Transforms.elu(z, true);
        }

        @Override
        INDArray backward(INDArray z, INDArray g, INDArray out) {
            Nd4j.exec(new EluBp(z, g, out, 1.0));
            return out;
        }
    },
    /** log(1 + e^z); φ'(z) = sigmoid(z). Smooth to every order. */
    SOFTPLUS("softplus") {
        @Override
        SDVariable apply(SameDiff sd, SDVariable z) {
            return sd.nn().softplus(z);
        }

        @Override
        SDVariable derivative(SameDiff sd, SDVariable z) {
            return sd.nn().sigmoid(z);
        }

        @Override
        INDArray apply(INDArray z) {
            return Transforms.softPlus(z, true);
        }

        @Override
        INDArray backward(INDArray z, INDArray g, INDArray out) {
            Nd4j.exec(new SoftPlusBp(z, g, out));
            return out;
        }
    };

    private final String key;

    Activation(String key) {
        this.key = key;
    }

    abstract SDVariable apply(SameDiff sd, SDVariable z);

    /** φ(z) elementwise, a new array. */
    abstract INDArray apply(INDArray z);

    /** φ(z) elementwise, written over z (one 64-channel array fewer to allocate per layer). */
    INDArray applyInPlace(INDArray z) {
        return switch (this) {
            case RELU -> Transforms.relu(z, false);
            case ELU -> Transforms.elu(z, false);
            case SOFTPLUS -> Transforms.softPlus(z, false);
        };
    }

    /**
     * Whether {@link #backward} gives the same result when handed φ(z) in place of z: relu's
     * derivative 1[z &gt; 0] is 1[φ(z) &gt; 0], so a VJP with relu need not keep the pre-activations
     * beside the activations (elu and softplus need z).
     */
    boolean backwardFromOutput() {
        return this == RELU;
    }

    /**
     * g ⊙ φ'(z) written over g, where z may be overwritten (the caller no longer needs it); returns
     * g. For relu, z is turned in place into the mask 1[z &gt; 0] (a vectorised scalar op) and g
     * multiplied by it: libnd4j's {@code relu_bp} calls a {@code std::function} per element and
     * took 2.1–3.1 ms per 4×64×64×64 array against torch's 0.14–0.21 ms (thread CPU time, one
     * thread, load average 5.5). Equal to {@link #backward} except that g's entries where
     * z ≤ 0 become g·0 (−0 for negative g, NaN for non-finite g) instead of 0.
     */
    INDArray backwardOverwriting(INDArray z, INDArray g) {
        if (this == RELU) {
            Nd4j.exec(new Step(z, z, 0.0));
            return g.muli(z);
        }
        return backward(z, g, g);
    }

    /** g ⊙ φ'(z), a new array (relu: g where z &gt; 0, else 0, as SameDiff's relu gradient). */
    INDArray backward(INDArray z, INDArray g) {
        return backward(z, g, g.ulike());
    }

    /** g ⊙ φ'(z) written into {@code out}, which may be g itself (an elementwise op in place); returns out. */
    abstract INDArray backward(INDArray z, INDArray g, INDArray out);

    /** φ'(z) elementwise, built from differentiable ops (for graphs that are differentiated again). */
    abstract SDVariable derivative(SameDiff sd, SDVariable z);

    /** φ'(z) elementwise for a tangent pass that is not differentiated (relu: the step 1[z &gt; 0]). */
    SDVariable tangentDerivative(SameDiff sd, SDVariable z) {
        return derivative(sd, z);
    }

    double lipschitz() {
        return 1.0;
    }

    String key() {
        return key;
    }

    static Activation of(String key) {
        for (Activation a : values()) {
            if (a.key.equals(key)) {
                return a;
            }
        }
        throw new IllegalArgumentException("network.activation: expected relu, elu or softplus, got '" + key + "'");
    }
}
