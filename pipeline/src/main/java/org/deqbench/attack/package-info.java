/** Worst-case and random measurement perturbations, ε sweeps, and their amplification. */
package org.deqbench.attack;
