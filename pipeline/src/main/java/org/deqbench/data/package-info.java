/**
 * Data sets of the benchmark: ground-truth sources (phantoms, image folders, HDF5 k-space in the
 * fastMRI and MoDL layouts), which the {@code simulate} stage ({@code org.deqbench.stage}) turns
 * into measurements and operator parameters in the run store, and the reader
 * ({@link org.deqbench.data.SimulatedData}) that every later stage uses to get examples and their
 * forward operator back from a simulate node's files ({@link org.deqbench.store.NodeFiles}).
 */
package org.deqbench.data;
