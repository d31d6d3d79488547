package org.deqbench.track;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The run directory's note that the tracking server failed ({@code runlog/mlflow-offline.json}).
 * A node whose request fails once takes its own tracking offline for the rest of the node and
 * writes this note; the nodes that start within the probe interval
 * ({@link TrackingEnv#PROBE_SECONDS}) read it and track in the local run log only, without a single
 * request. So an unreachable, failing or hanging server costs one request's time limit per run
 * window, not minutes per node. {@code deqbench run} tries the server again at its start, and a
 * complete {@code deqbench mlflow sync} removes the note; the sync delivers what the nodes skipped.
 *
 * @param host   the tracking URI (no credentials) that failed
 * @param by     the node or pipeline run that saw it fail
 * @param reason the failure, redacted
 * @param at     when (ISO-8601)
 */
public record MlflowOffline(String host, String by, String reason, @JsonProperty("at") String at) {
    static final String FILE = "mlflow-offline.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path file(Path runDir) {
        return RunLogLayout.dir(runDir).resolve(FILE);
    }

    /** Writes the note (atomically; a failure to write it only costs the next nodes one request). */
    static void mark(Path runDir, String host, String by, String reason) {
        Path f = file(runDir);
        try {
            Files.createDirectories(f.getParent());
            Path tmp = f.resolveSibling(FILE + "." + ProcessHandle.current().pid() + ".tmp");
            JSON.writeValue(tmp.toFile(), new MlflowOffline(host, by, reason, Instant.now().toString()));
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            // the next node tries the server once itself
        }
    }

    /** The note for {@code host} if one was written less than {@code window} ago. */
    static Optional<MlflowOffline> recent(Path runDir, String host, Duration window) {
        Path f = file(runDir);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            MlflowOffline o = JSON.readValue(f.toFile(), MlflowOffline.class);
            Instant at = Instant.parse(o.at());
            boolean fresh = at.plus(window).isAfter(Instant.now());
            return fresh && host.equals(o.host()) ? Optional.of(o) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Removes the note (the server answered). */
    static void clear(Path runDir) {
        try {
            Files.deleteIfExists(file(runDir));
        } catch (IOException ignored) {
            // an old note expires after the probe interval anyway
        }
    }
}
