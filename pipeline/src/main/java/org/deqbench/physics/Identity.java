package org.deqbench.physics;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A = I on arrays {@code [shape...]}: the forward model of denoising, b = x + n. */
public final class Identity implements LinearOperator {
    private final long[] shape;

    public Identity(long... shape) {
        this.shape = shape.clone();
    }

    @Override
    public long[] domainShape() {
        return shape.clone();
    }

    @Override
    public long[] rangeShape() {
        return shape.clone();
    }

    @Override
    public INDArray apply(INDArray x) {
        check(x);
        return x.dup();
    }

    @Override
    public INDArray adjoint(INDArray y) {
        check(y);
        return y.dup();
    }

    @Override
    public INDArray normal(INDArray x) {
        check(x);
        return x.dup();
    }

    /** ‖I‖ = 1: every vector keeps its length. Exact. */
    @Override
    public double normBound() {
        return 1;
    }

    @Override
    public boolean normBoundIsExact() {
        return true;
    }

    @Override
    public String describe() {
        return "Identity" + Arrays.toString(shape);
    }

    private void check(INDArray a) {
        if (!HostArrays.isBatchOf(a.shape(), shape)) {
            throw new IllegalArgumentException(describe() + " expects " + HostArrays.batchShape(shape)
                    + ", found " + Arrays.toString(a.shape()));
        }
    }
}
