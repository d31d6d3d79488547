package org.deqbench.track;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * Starts the tracking of a pipeline run for the local runner: a pipeline record in the run log
 * always, and the MLflow parent run (in the experiment named after the deqbench experiment,
 * created if missing) when {@code MLFLOW_TRACKING_URI} is set. The runner passes
 * {@link PipelineRun#childEnvironment()} to every node process and calls
 * {@link PipelineRun#finish} at the end.
 */
public final class PipelineTracking {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    private PipelineTracking() {
    }

    /** {@link #begin(Path, TrackedPlan, Map)} with this process's environment. */
    public static PipelineRun begin(Path runDir, TrackedPlan plan) {
        return begin(runDir, plan, System.getenv());
    }

    /**
     * Begins a pipeline run. Its id is {@code DEQBENCH_PIPELINE_RUN_ID} when set, else a new one
     * ({@code <UTC time>-<random>}). An unreachable server is reported once on stderr and does not
     * stop the run; {@code deqbench mlflow sync} creates the parent later.
     *
     * @throws IllegalArgumentException when an MLflow variable is set to something unusable
     */
    public static PipelineRun begin(Path runDir, TrackedPlan plan, Map<String, String> env) {
        Optional<MlflowSettings> mlflow = MlflowSettings.fromEnv(env);
        String given = env.get(TrackingEnv.PIPELINE_RUN_ID);
        String id = given == null || given.isBlank() ? newRunId() : given.strip();
        return new PipelineRun(runDir, plan, id, env, mlflow.orElse(null));
    }

    /**
     * The pipeline run id of a node started without a runner: {@code dag-} and 16 hex digits of
     * SHA-256 over the absolute run directory and the spec hash. Every pod of one plan on one volume
     * derives the same id, so they share one parent run.
     */
    public static String derivedRunId(Path runDir, TrackedPlan plan) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(runDir.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(plan.specHash().getBytes(StandardCharsets.UTF_8));
            return "dag-" + HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The MLflow experiment of a plan: {@code MLFLOW_EXPERIMENT_NAME}, else the experiment's name. */
    static String mlflowExperimentName(Map<String, String> env, TrackedPlan plan) {
        String n = env.get(TrackingEnv.EXPERIMENT_NAME);
        return n == null || n.isBlank() ? plan.experiment() : n.strip();
    }

    static String newRunId() {
        byte[] b = new byte[3];
        RANDOM.nextBytes(b);
        return ZonedDateTime.now(ZoneOffset.UTC).format(STAMP) + "-" + HexFormat.of().formatHex(b);
    }
}
