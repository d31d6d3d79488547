package org.deqbench.spec;

/**
 * Gaussian blur kernel.
 *
 * @param kernelSize odd side length of the kernel, at most the image size
 * @param sigma      standard deviation in pixels
 */
public record BlurSpec(Integer kernelSize, Double sigma) {
    public static final BlurSpec DEFAULT = new BlurSpec(null, null);

    public BlurSpec {
        kernelSize = kernelSize == null ? 9 : kernelSize;
        sigma = sigma == null ? 1.6 : sigma;
    }
}
