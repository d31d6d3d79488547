/**
 * Image-quality metrics, defined once for the whole pipeline, and their statistics over a test
 * split.
 *
 * <p>Conventions (those of the fastMRI evaluation and scikit-image): an image is {@code [C, H, W]}
 * or, for dynamic and 3D problems, {@code [C, T, H, W]}; complex images ({@code C = 2}: real,
 * imaginary) are compared as magnitude images, real images ({@code C = 1}) as they are
 * ({@link org.deqbench.metrics.MagnitudeImage}); the data range is the maximum of the target over
 * the whole image or volume. {@link org.deqbench.metrics.Psnr} and {@link org.deqbench.metrics.Nmse}
 * are taken over all voxels, {@link org.deqbench.metrics.Ssim} is the mean over frames of the 2D
 * SSIM of Wang et al. (2004) with a 7×7 uniform window. {@link org.deqbench.metrics.ImageScores}
 * bundles the three for one image; {@link org.deqbench.metrics.SampleSummary} gives the mean and a
 * Student-t confidence interval over a split.
 *
 * <p>Reference values for the tests were computed with scikit-image by
 * {@code src/test/resources/org/deqbench/metrics/make_reference.py}.
 */
package org.deqbench.metrics;
