/**
 * Learned networks as SameDiff graphs and the derivatives the methods need: the residual CNN of
 * MoDL and MOL ({@link org.deqbench.nn.ConvNet}, 2D on images or 3D on volumes and 2D+time
 * sequences, vector-Jacobian products for input and parameters
 * in one backward pass, save/load, embedding into larger graphs), its Lipschitz-bounded variant
 * ({@link org.deqbench.nn.SpectralNormalization}), convolution layers as linear operators with
 * exact operator norms ({@link org.deqbench.nn.ConvolutionOperator}), and ELDER's explicit
 * regulariser gradient (2D networks). Built on the SameDiff API, not the layer API (DESIGN.md §4).
 */
package org.deqbench.nn;
