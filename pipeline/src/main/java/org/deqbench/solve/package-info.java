/**
 * Batched iterative solvers used by every reconstruction method: conjugate gradients for the
 * data-consistency inverses, fixed-point iteration and Anderson acceleration for deep-equilibrium
 * forward and backward solves, and power iteration for operator norms. Solvers see only
 * {@code UnaryOperator<INDArray>} maps on batched arrays (first axis = examples); they know nothing
 * of physics or networks. Every solve returns a {@link org.deqbench.solve.SolveResult} with its
 * iteration count and residual history.
 */
package org.deqbench.solve;
