/**
 * Worst-case and random measurement perturbations, ε sweeps, their amplification, and
 * {@code attack.json}'s record ({@link org.deqbench.attack.AttackResults}).
 */
package org.deqbench.attack;
