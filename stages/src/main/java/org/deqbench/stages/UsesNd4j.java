package org.deqbench.stages;

/**
 * Marks a command that runs ND4J code. {@link Cli#execute} runs the GPU preflight
 * ({@link org.deqbench.stages.gpu.GpuPreflight}) before such a command, and only before such a
 * command: {@code --help}, {@code plan}, {@code compare} and {@code mlflow} start on any machine.
 */
interface UsesNd4j {
}
