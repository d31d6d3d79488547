package org.deqbench.track;

/**
 * The environment variables tracking reads. The MLflow ones are MLflow's own; the
 * {@code DEQBENCH_PIPELINE_*} and {@code DEQBENCH_MLFLOW_*_ID} ones are set by the local runner for
 * each node process ({@link PipelineRun#childEnvironment()}); the rest tune the client.
 */
public final class TrackingEnv {
    /** {@code http(s)://host:port[/path]} of an MLflow tracking server; unset: local run log only. */
    public static final String TRACKING_URI = "MLFLOW_TRACKING_URI";
    /** Bearer token for the tracking server. */
    public static final String TOKEN = "MLFLOW_TRACKING_TOKEN";
    /** Basic-auth user name (with {@link #PASSWORD}). */
    public static final String USERNAME = "MLFLOW_TRACKING_USERNAME";
    /** Basic-auth password (with {@link #USERNAME}). */
    public static final String PASSWORD = "MLFLOW_TRACKING_PASSWORD";
    /** MLflow experiment name; default: the deqbench experiment's name. */
    public static final String EXPERIMENT_NAME = "MLFLOW_EXPERIMENT_NAME";

    /** The pipeline run a node belongs to; without it a node derives one from run dir and spec hash. */
    public static final String PIPELINE_RUN_ID = "DEQBENCH_PIPELINE_RUN_ID";
    /** Set ("1") when a runner owns the pipeline run and ends it; otherwise the plan's last node does. */
    public static final String PIPELINE_MANAGED = "DEQBENCH_PIPELINE_MANAGED";
    /** MLflow experiment id resolved by the runner (saves each node a lookup). */
    public static final String MLFLOW_EXPERIMENT_ID = "DEQBENCH_MLFLOW_EXPERIMENT_ID";
    /** MLflow parent run id created by the runner. */
    public static final String MLFLOW_PARENT_RUN_ID = "DEQBENCH_MLFLOW_PARENT_RUN_ID";
    /** Git commit of the code; default: {@code git rev-parse HEAD} when run inside a checkout. */
    public static final String GIT_COMMIT = "DEQBENCH_GIT_COMMIT";
    /** Container image the node runs in (set by the DAG / job template). */
    public static final String IMAGE = "DEQBENCH_IMAGE";

    /**
     * "1": allow credentials over plain {@code http://} to a host other than this machine's loopback
     * (a trusted network, e.g. inside the cluster); otherwise such a configuration is refused.
     */
    public static final String INSECURE = "DEQBENCH_MLFLOW_INSECURE";

    /**
     * Seconds one request may take before it counts as failed (default 5). A node makes one
     * attempt per request: the first failure takes its tracking offline ({@link MlflowOffline}).
     */
    public static final String TIMEOUT_SECONDS = "DEQBENCH_MLFLOW_TIMEOUT_SECONDS";
    /** Seconds {@code deqbench mlflow sync} retries with backoff before giving up (default 120). */
    public static final String RETRY_SECONDS = "DEQBENCH_MLFLOW_RETRY_SECONDS";
    /** First backoff in seconds, doubled after each failure up to 30 s (default 1). */
    public static final String BACKOFF_SECONDS = "DEQBENCH_MLFLOW_BACKOFF_SECONDS";
    /** Seconds between sends of buffered metrics (default 5). */
    public static final String FLUSH_SECONDS = "DEQBENCH_MLFLOW_FLUSH_SECONDS";
    /**
     * Seconds for which, after a node found the server failing, the following nodes skip it and track
     * in the local run log only (default 300); {@code deqbench run} and a successful sync try again.
     */
    public static final String PROBE_SECONDS = "DEQBENCH_MLFLOW_PROBE_SECONDS";
    /** Seconds a node stopped by SIGTERM spends delivering what is left (default 10). */
    public static final String KILL_WAIT_SECONDS = "DEQBENCH_MLFLOW_KILL_WAIT_SECONDS";

    private TrackingEnv() {
    }
}
