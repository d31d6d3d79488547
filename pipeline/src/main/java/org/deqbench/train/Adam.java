package org.deqbench.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Adam (Kingma &amp; Ba, ICLR 2015) on a map of named parameters, updated in place:
 * <pre>
 *   m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²,   t ← t + 1
 *   p ← p − η · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
 * </pre>
 * Gradients come from anywhere (backprop through a graph, implicit differentiation at a fixed
 * point), which is why this optimiser works on plain arrays and not inside SameDiff's training
 * loop. Its whole state (moments and t) is exposed so checkpoints can restore it exactly.
 */
public final class Adam {
    public static final double BETA1 = 0.9;
    public static final double BETA2 = 0.999;
    public static final double EPSILON = 1e-8;

    private final Map<String, INDArray> m = new LinkedHashMap<>();
    private final Map<String, INDArray> v = new LinkedHashMap<>();
    private long t;

    /** Applies one update with step size {@code lr}; every parameter must have a gradient. */
    public void update(Map<String, INDArray> parameters, Map<String, INDArray> gradients, double lr) {
        update(parameters, gradients, lr, Map.of());
    }

    /**
     * As {@link #update(Map, Map, double)}, with the step of each parameter named in {@code scale}
     * multiplied by its factor (a per-parameter learning rate that follows the same schedule).
     */
    public void update(Map<String, INDArray> parameters, Map<String, INDArray> gradients, double baseLr,
                       Map<String, Double> scale) {
        t++;
        double c1 = 1 - Math.pow(BETA1, t);
        double c2 = 1 - Math.pow(BETA2, t);
        for (Map.Entry<String, INDArray> e : parameters.entrySet()) {
            String name = e.getKey();
            INDArray p = e.getValue();
            INDArray g = gradients.get(name);
            if (g == null) {
                throw new IllegalArgumentException("no gradient for parameter '" + name + "'; gradients: "
                        + gradients.keySet());
            }
            if (!java.util.Arrays.equals(g.shape(), p.shape())) {
                throw new IllegalArgumentException("gradient of '" + name + "' has shape "
                        + java.util.Arrays.toString(g.shape()) + ", parameter has " + java.util.Arrays.toString(p.shape()));
            }
            g = g.castTo(p.dataType());
            double lr = baseLr * scale.getOrDefault(name, 1.0);
            INDArray mi = m.computeIfAbsent(name, k -> p.ulike().assign(0));
            INDArray vi = v.computeIfAbsent(name, k -> p.ulike().assign(0));
            mi.muli(BETA1).addi(g.mul(1 - BETA1));
            vi.muli(BETA2).addi(g.mul(g).muli(1 - BETA2));
            INDArray denom = Transforms.sqrt(vi.div(c2), false).addi(EPSILON);
            p.subi(mi.div(c1).divi(denom).muli(lr));
        }
    }

    /** Steps taken so far. */
    public long steps() {
        return t;
    }

    /** First moments, by parameter name (live arrays). */
    public Map<String, INDArray> firstMoments() {
        return m;
    }

    /** Second moments, by parameter name (live arrays). */
    public Map<String, INDArray> secondMoments() {
        return v;
    }

    /** Restores a state saved from {@link #steps()}, {@link #firstMoments()}, {@link #secondMoments()}. */
    public void restore(long steps, Map<String, INDArray> first, Map<String, INDArray> second) {
        t = steps;
        m.clear();
        v.clear();
        first.forEach((k, a) -> m.put(k, a.dup()));
        second.forEach((k, a) -> v.put(k, a.dup()));
    }
}
