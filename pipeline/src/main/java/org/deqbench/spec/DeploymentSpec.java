package org.deqbench.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How the Airflow DAGs run an experiment's pods ({@code deployment:} in a spec), exported with the
 * plan. Deployment only: not part of the canonical spec unless given, so plan hashes of specs
 * without it are unchanged, and no node hash depends on it.
 *
 * @param gpuPool                 Airflow pool of the GPU pods (learned methods' train, certify and
 *                                attack), which caps how many GPUs the experiment holds at once
 * @param executionTimeoutMinutes a pod running longer fails (and is retried), minutes
 * @param maxActiveTasks          pods of one DAG run at the same time
 */
public record DeploymentSpec(
        @JsonProperty("gpu_pool") String gpuPool,
        @JsonProperty("execution_timeout_minutes") Integer executionTimeoutMinutes,
        @JsonProperty("max_active_tasks") Integer maxActiveTasks) {
    public static final DeploymentSpec DEFAULT = new DeploymentSpec(null, null, null);

    public DeploymentSpec {
        gpuPool = gpuPool == null ? "deqbench-gpu" : gpuPool;
        executionTimeoutMinutes = executionTimeoutMinutes == null ? 24 * 60 : executionTimeoutMinutes;
        maxActiveTasks = maxActiveTasks == null ? 16 : maxActiveTasks;
    }
}
