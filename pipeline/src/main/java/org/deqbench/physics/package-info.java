/**
 * Forward models of the benchmark's imaging inverse problems, b = A x + n: linear operators
 * (multi-coil and single-coil MRI, dynamic and 3D MRI, denoising, deblurring, super-resolution,
 * inpainting), their parameters (sampling masks, coil sensitivity maps, blur kernels) and noise.
 *
 * <p>Conventions shared by every class here:
 * <ul>
 *   <li>Arrays are batched along the first axis. Complex images are two real channels
 *       (real, imaginary) on the axis just before the spatial axes: {@code [B, 2, H, W]}.</li>
 *   <li>The Fourier transform is the orthonormal, centred 2D DFT of {@link org.deqbench.physics.Fft2}.</li>
 *   <li>Operators compute in double precision and return the dtype of their input.</li>
 *   <li>Every random draw comes from a stream seeded by {@link org.deqbench.physics.Seeds#derive},
 *       from the experiment seed and a stable label, so results do not depend on execution order.</li>
 * </ul>
 * Physics knows nothing about reconstruction methods or networks.
 */
package org.deqbench.physics;
