package org.deqbench.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;

/**
 * ELDER's explicit learned regulariser (Zou, Liu, Wohlberg, Kamilov, "Deep equilibrium learning of
 * explicit regularizers for imaging inverse problems", 2023):
 * <pre>
 *   R(x) = ½ ‖x − N(x)‖²,    ∇R(x) = r − J_N(x)^T r,   r = x − N(x)
 * </pre>
 * with N a {@link ConvNet} with a smooth activation (elu or softplus). SameDiff M2.1 cannot
 * differentiate a gradient ({@code Conv2DDerivative.doDiff} throws), so ∇R is built as an ordinary
 * graph — the forward pass z_l = W_l ⋆ a_l + b_l, a_{l+1} = φ(z_l), then the transposed pass
 * <pre>
 *   δ_{n−1} = r,   g_l = W_l^T ⋆ δ_l,   δ_{l−1} = g_l ⊙ φ'(z_{l−1}),   J_N^T r = g₀
 * </pre>
 * with W^T ⋆ a convolution by the flipped, channel-transposed kernel and φ' written with
 * differentiable ops — and training ELDER's DEQ needs only first-order autodiff of this graph:
 * {@link #gradientVjp} returns ∇R(x), ∇²R(x) v and J_θ(∇R)^T v in one backward pass.
 *
 * <p>The graph shares the network's parameter arrays: {@link ConvNet#setParameters} is seen here.
 * Parameters are keyed like {@link ConvNet#parameters()}. Not thread-safe.
 */
public final class ElderRegularizer {
    /** Placeholder of x {@code [B, C, H, W]}. */
    public static final String INPUT = "x";
    /** Placeholder of the cotangent v of {@link #gradientVjp}. */
    public static final String COTANGENT = "v";
    /** Per-example R(x), {@code [B]}. */
    public static final String VALUE = "R";
    /** ∇R(x), {@code [B, C, H, W]}. */
    public static final String GRADIENT = "gradR";

    private static final String LOSS = "vjp_loss";

    /** ∇R(x), the Hessian-vector product ∇²R(x) v and J_θ(∇R(x))^T v. */
    public record GradientVjp(INDArray gradient, INDArray input, Map<String, INDArray> parameters) {
    }

    private final ConvNet network;
    private final SameDiff sd;
    private final List<String> gradientNames;

    /**
     * @param network N, 2D, with {@code channelsIn == channelsOut}, a smooth activation and no
     *                spectral normalisation
     */
    public ElderRegularizer(ConvNet network) {
        ConvNet.Architecture a = network.architecture();
        if (a.channelsIn() != a.channelsOut()) {
            throw new IllegalArgumentException("ELDER's R(x) = ½‖x − N(x)‖² needs N with as many output as input"
                    + " channels, got " + a.channelsIn() + " -> " + a.channelsOut());
        }
        if (a.spatialDims() != 2) {
            throw new IllegalArgumentException("ELDER's explicit-gradient graph is built for 2D networks (conv2d);"
                    + " got a " + a.spatialDims() + "D network: create N with ConvNet.create(spec, 2, …)");
        }
        if (network.spectralNormalization() != null) {
            throw new IllegalArgumentException("ELDER uses an unconstrained network; spectral normalisation is MOL-SN's");
        }
        Activation activation = Activation.of(a.activation());
        this.network = network;
        this.sd = SameDiff.create();
        DataType dtype = network.dataType();
        SDVariable x = sd.placeHolder(INPUT, dtype, -1, a.channelsIn(), -1, -1);
        ConvNet.Layers layers = network.layers(sd, x);
        SDVariable r = x.sub(layers.output());
        sd.math().square(r).sum(1, 2, 3).mul(0.5).rename(VALUE);
        Conv2DConfig config = ConvolutionOperator.conv2dConfig(a.kernel());
        SDVariable g = r;
        for (int l = a.layers() - 1; l >= 0; l--) {
            // Adjoint of W_l ⋆ ·: convolution with W'[i, j, o, c] = W[k−1−i, k−1−j, c, o].
            SDVariable flipped = sd.reverse(sd.permute(layers.weights().get(l), 0, 1, 3, 2), 0, 1);
            g = sd.cnn().conv2d(g, flipped, config);
            if (l > 0) {
                g = g.mul(activation.derivative(sd, layers.preActivations().get(l - 1)));
            }
        }
        SDVariable gradient = r.sub(g).rename(GRADIENT);
        SDVariable v = sd.placeHolder(COTANGENT, dtype, -1, a.channelsIn(), -1, -1);
        sd.sum(LOSS, gradient.mul(v));
        sd.setLossVariables(LOSS);
        List<String> names = new ArrayList<>();
        names.add(INPUT);
        for (int l = 0; l < a.layers(); l++) {
            names.add(ConvNet.VARIABLE_PREFIX + ConvNet.weightName(l));
            names.add(ConvNet.VARIABLE_PREFIX + ConvNet.biasName(l));
        }
        this.gradientNames = List.copyOf(names);
    }

    public ConvNet network() {
        return network;
    }

    /** R(x) per example, {@code [B]}. */
    public INDArray value(INDArray x) {
        return sd.output(feed(x, null), VALUE).get(VALUE);
    }

    /** ∇R(x) = (x − N(x)) − J_N(x)^T (x − N(x)). */
    public INDArray gradient(INDArray x) {
        return sd.output(feed(x, null), GRADIENT).get(GRADIENT);
    }

    /**
     * ∇R(x) together with the gradients of ⟨∇R(x), v⟩: ∇²R(x) v for the input and
     * J_θ(∇R(x))^T v for every parameter — what the implicit backward pass of ELDER's DEQ needs.
     */
    public GradientVjp gradientVjp(INDArray x, INDArray v) {
        OutAndGrad result = sd.calculateGradientsAndOutputs(feed(x, v), List.of(GRADIENT), gradientNames);
        Map<String, INDArray> g = result.getGradients();
        Map<String, INDArray> parameters = new LinkedHashMap<>();
        for (int l = 0; l < network.architecture().layers(); l++) {
            parameters.put(ConvNet.weightName(l), g.get(ConvNet.VARIABLE_PREFIX + ConvNet.weightName(l)));
            parameters.put(ConvNet.biasName(l), g.get(ConvNet.VARIABLE_PREFIX + ConvNet.biasName(l)));
        }
        return new GradientVjp(result.getOutputs().get(GRADIENT), g.get(INPUT), parameters);
    }

    private Map<String, INDArray> feed(INDArray x, INDArray v) {
        Map<String, INDArray> feed = new HashMap<>(4);
        feed.put(INPUT, checked(x));
        if (v != null) {
            feed.put(COTANGENT, checked(v));
        }
        return feed;
    }

    private INDArray checked(INDArray a) {
        int c = network.architecture().channelsIn();
        if (a.rank() != 4 || a.size(1) != c) {
            throw new IllegalArgumentException("ELDER input must be [B, " + c + ", H, W], got " + Arrays.toString(a.shape()));
        }
        return a.dataType() == network.dataType() ? a : a.castTo(network.dataType());
    }
}
