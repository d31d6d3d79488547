/**
 * Data sets of the benchmark: ground-truth sources (phantoms, image folders, HDF5 k-space in the
 * fastMRI and MoDL layouts), the {@code simulate} stage that turns a task spec into measurements
 * and operator parameters in the run store, and the reader ({@link org.deqbench.data.SimulatedData})
 * that every later stage uses to get examples and their forward operator back.
 */
package org.deqbench.data;
