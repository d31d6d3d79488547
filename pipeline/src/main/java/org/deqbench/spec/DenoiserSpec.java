package org.deqbench.spec;

/**
 * The learned Gaussian denoiser D_σ of the plug-and-play ({@code pnp}) and regularisation-by-
 * denoising ({@code red}) methods: a residual CNN D_σ(x) = x − N(x) trained to remove white
 * Gaussian noise of standard deviation {@code sigma} (per real component, on images scaled to
 * maximum magnitude 1) from the task's training ground truths.
 *
 * @param sigma noise level σ &gt; 0 the denoiser is trained for (default 0.05)
 */
public record DenoiserSpec(Double sigma) {
    public static final DenoiserSpec DEFAULT = new DenoiserSpec(null);

    public DenoiserSpec {
        sigma = sigma == null ? 0.05 : sigma;
    }
}
