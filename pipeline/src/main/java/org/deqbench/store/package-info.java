/**
 * A node's folder as the science packages see it, without the plan that schedules nodes: the
 * files of a completed node ({@link org.deqbench.store.NodeFiles}), the folder a node writes
 * ({@link org.deqbench.store.NodeWriter}) and the error that names a missing or corrupt file
 * ({@link org.deqbench.store.NodeFileException}). {@code plan}'s run store implements these ports
 * (with manifests, hashes and atomic commits); data, train, certify and attack code takes them, so
 * that it imports neither {@code plan} nor {@code track}.
 */
package org.deqbench.store;
