package org.deqbench.spec;

/**
 * The CNN H_θ / N_θ / g_θ: {@code layers} 3×3 convolutions, {@code channels} wide, bias, no
 * batch norm.
 *
 * @param layers          convolution layers (≥ 2)
 * @param channels        hidden channels
 * @param kernel          odd kernel size
 * @param activation      {@code relu}, {@code elu} or {@code softplus} (ELDER needs a smooth one)
 * @param lipschitzTarget MOL-SN: bound on the product of layer norms, in (0, 1)
 */
public record NetworkSpec(Integer layers, Integer channels, Integer kernel, String activation,
                          Double lipschitzTarget) {
    public static final NetworkSpec DEFAULT = new NetworkSpec(null, null, null, null, null);

    public NetworkSpec {
        layers = layers == null ? 5 : layers;
        channels = channels == null ? 64 : channels;
        kernel = kernel == null ? 3 : kernel;
        activation = activation == null ? "relu" : activation;
        lipschitzTarget = lipschitzTarget == null ? 0.9 : lipschitzTarget;
    }
}
