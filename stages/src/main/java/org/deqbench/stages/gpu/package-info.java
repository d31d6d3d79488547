/**
 * Whether this process's GPU can run the ND4J backend it carries: {@link
 * org.deqbench.stages.gpu.Nd4jCudaKernels} decides from a compute capability (pure),
 * {@link org.deqbench.stages.gpu.GpuPreflight} finds the backend and asks nvidia-smi for the
 * capability before any ND4J code runs.
 */
package org.deqbench.stages.gpu;
