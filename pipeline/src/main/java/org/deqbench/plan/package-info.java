/**
 * The stage graph and its execution: {@link org.deqbench.plan.Planner} computes the
 * {@link org.deqbench.plan.Plan} from a spec; {@link org.deqbench.plan.RunStore} keeps each node's
 * outputs in its own folder, committed atomically with a completion marker holding the node's hash;
 * {@link org.deqbench.plan.NodeExecutor} runs one node in-process; {@link org.deqbench.plan.LocalRunner}
 * runs a whole plan, one process per node.
 */
package org.deqbench.plan;
