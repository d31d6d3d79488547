/**
 * The stages as the plan runs them: each {@link org.deqbench.plan.Stage} here reads its node's
 * inputs, calls the science (data, train, certify, attack, report) and writes the node's outputs and
 * metrics. {@link org.deqbench.stage.SimulateStage}, {@link org.deqbench.stage.TrainStage},
 * {@link org.deqbench.stage.CertifyStage}, {@link org.deqbench.stage.AttackStage} and
 * {@link org.deqbench.stage.ReportStage}; the adapters that give the science plan-free views of a
 * node ({@link org.deqbench.stage.NodeTrainingRun}, {@link org.deqbench.stage.TrackerListener});
 * {@link org.deqbench.stage.UpstreamReader}, which reads the upstream nodes of a report; and the
 * memory-scaling benchmark, which runs train nodes. This is the only package of the library that
 * uses both {@code plan} and the science; the science packages import neither {@code plan} nor
 * {@code track}.
 */
package org.deqbench.stage;
