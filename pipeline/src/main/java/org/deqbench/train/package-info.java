/**
 * Training of learned reconstruction methods: one trainer ({@link org.deqbench.train.Trainer}:
 * Adam on parameter maps, learning-rate schedules, shuffling derived from the seed, validation,
 * best-model selection, resumable atomic checkpoints, a divergence guard) drives every method,
 * whether its gradients come from backpropagation through an unrolled graph (MoDL) or from implicit
 * differentiation at a fixed point (DEQ, MOL-SN, MOL-LR, DEQ-GD, RERG) or from an explicit loss at the
 * ground truth (bound-trained DEQ-GD). Observability (time, solver iterations,
 * memory, Lipschitz trajectories, progress) is attached through {@link
 * org.deqbench.train.TrainingListener listeners}, not written into the loop. Also here: MOL-LR's
 * log-barrier penalty and its local Lipschitz estimate. The {@link org.deqbench.train.Method}
 * contract takes plan-free views of a node ({@link org.deqbench.train.TrainingRun},
 * {@link org.deqbench.store.NodeFiles}); {@code method.json} is
 * {@link org.deqbench.train.MethodDescription}.
 */
package org.deqbench.train;
