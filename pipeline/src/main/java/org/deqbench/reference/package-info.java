/**
 * The official MOL code (Pramanik, Zimmerman, Jacob, IEEE TCI 2023) as a reference: its released
 * PyTorch checkpoints read into deqbench models ({@link org.deqbench.reference.MolCheckpoint},
 * {@link org.deqbench.reference.ImportedMolModel}) and a benchmark that runs the official code
 * beside deqbench on the same data ({@link org.deqbench.reference.ReferenceBenchmark}).
 */
package org.deqbench.reference;
