package org.deqbench.track;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.stream.Stream;

/**
 * The tracker of one node attempt: every call appends a record to the node's run log
 * ({@code <runDir>/runlog/<node>.jsonl}), flushed and fsynced before it returns, then hands it to
 * the MLflow sender when MLflow is configured. The log is the durable record; MLflow is a copy
 * that may lag. Opened by {@link Trackers#forNode}.
 *
 * <p>While open it holds the node's lock file (so {@code deqbench mlflow sync} leaves its records
 * alone) and a shutdown hook that records KILLED when the process is stopped by SIGTERM, as
 * Kubernetes stops a pod.
 */
public final class RunLogTracker implements Tracker {
    private final AppendOnlyFile out;
    private final RunRecord.Start start;
    private final MlflowSender sender;
    private final ProcessLock lock;
    private final KillHook hook;
    private long nextSeq;
    private boolean finished;

    RunLogTracker(Path file, RunRecord.Start start, MlflowSender sender, ProcessLock lock) {
        this.out = new AppendOnlyFile(file);
        this.start = start;
        this.sender = sender;
        this.lock = lock;
        append(List.of(start));
        this.nextSeq = start.seq() + 1;
        this.hook = new KillHook("deqbench-tracker-kill", () -> finish(Status.KILLED, "terminated by signal"));
        hook.register();
    }

    /** The run-log file. */
    public Path file() {
        return out.file();
    }

    /** This attempt's id (every record of it carries it). */
    public String attempt() {
        return start.attempt();
    }

    private void append(List<RunRecord> records) {
        List<String> lines = new ArrayList<>(records.size());
        for (RunRecord r : records) {
            lines.add(RunLogJson.line(r));
        }
        out.append(lines);
        if (sender != null) {
            sender.accept(records);
        }
    }

    private synchronized void emit(LongFunction<RunRecord> make) {
        if (finished) {
            return; // a stage still logging while the process is being stopped
        }
        RunRecord r = make.apply(nextSeq++);
        append(List.of(r));
    }

    @Override
    public void logParams(Map<String, String> params) {
        Map<String, String> copy = new LinkedHashMap<>();
        params.forEach((k, v) -> copy.put(requireKey(k, "param"), v == null ? "null" : v));
        if (!copy.isEmpty()) {
            emit(seq -> new RunRecord.Params(start.attempt(), seq, now(), copy));
        }
    }

    @Override
    public void logMetric(String key, double value, long step) {
        requireKey(key, "metric");
        emit(seq -> new RunRecord.Metric(start.attempt(), seq, now(), key, value, step));
    }

    @Override
    public void logMetric(String key, double value, long step, long timestampMillis) {
        requireKey(key, "metric");
        emit(seq -> new RunRecord.Metric(start.attempt(), seq, timestampMillis, key, value, step));
    }

    @Override
    public synchronized void logMetrics(Map<String, Double> values, long step) {
        if (finished || values.isEmpty()) {
            return;
        }
        long ts = now();
        List<RunRecord> rs = new ArrayList<>();
        values.forEach((k, v) -> rs.add(new RunRecord.Metric(start.attempt(), nextSeq++, ts, requireKey(k, "metric"),
                v == null ? Double.NaN : v, step)));
        append(rs);
    }

    @Override
    public void logInputs(List<DatasetInput> datasets) {
        emit(seq -> new RunRecord.Inputs(start.attempt(), seq, now(), datasets));
    }

    @Override
    public void logToParent(Map<String, String> params, Map<String, Double> metrics, Map<String, String> tags) {
        emit(seq -> new RunRecord.ParentLog(start.attempt(), seq, now(), params, metrics, tags));
    }

    @Override
    public void setTag(String key, String value) {
        requireKey(key, "tag");
        emit(seq -> new RunRecord.Tag(start.attempt(), seq, now(), key, value == null ? "" : value));
    }

    @Override
    public void logArtifact(Path fileOrFolder, String artifactPath) {
        logArtifact(fileOrFolder, artifactPath, f -> true);
    }

    @Override
    public void logArtifact(Path fileOrFolder, String artifactPath, java.util.function.Predicate<Path> include) {
        Path p = fileOrFolder.toAbsolutePath().normalize();
        if (!Files.exists(p)) {
            throw new IllegalArgumentException("cannot log artifact " + p + ": no such file or folder");
        }
        String dest = artifactPath(artifactPath);
        boolean folder = Files.isDirectory(p);
        List<RunRecord.ArtifactFile> files = new ArrayList<>();
        try {
            if (folder) {
                int leftOut = 0;
                try (Stream<Path> walk = Files.walk(p)) {
                    for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
                        if (include.test(f)) {
                            files.add(new RunRecord.ArtifactFile(slashes(p.relativize(f)), Files.size(f)));
                        } else {
                            leftOut++;
                        }
                    }
                }
                if (leftOut > 0) {
                    setTag("deqbench.artifacts_left_out", leftOut + " file(s) of " + p.getFileName()
                            + " (arrays over the upload limit; in the run store, or set tracking.upload_arrays: true)");
                }
            } else {
                files.add(new RunRecord.ArtifactFile(p.getFileName().toString(), Files.size(p)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list artifact " + p, e);
        }
        String nodeRelative = nodeRelative(p);
        emit(seq -> new RunRecord.Artifact(start.attempt(), seq, now(), p.toString(), dest, folder, nodeRelative, files));
    }

    /**
     * The path relative to the node's output folder, if it is inside it or inside the node's
     * temporary output folder ({@code .tmp-<name>-<suffix>} beside it, see RunStore), which is
     * renamed into place when the node commits.
     */
    private String nodeRelative(Path p) {
        Path nodeDir = Path.of(start.runDir()).resolve(start.node()).toAbsolutePath().normalize();
        if (p.startsWith(nodeDir)) {
            return slashes(nodeDir.relativize(p));
        }
        Path parent = nodeDir.getParent();
        if (parent != null && p.startsWith(parent) && !p.equals(parent)) {
            Path first = parent.relativize(p).getName(0);
            if (first.toString().startsWith(".tmp-" + nodeDir.getFileName() + "-")) {
                return slashes(parent.resolve(first).relativize(p));
            }
        }
        return null;
    }

    private static String slashes(Path rel) {
        return rel.toString().replace('\\', '/');
    }

    private static String artifactPath(String artifactPath) {
        if (artifactPath == null) {
            return "";
        }
        String a = artifactPath.replace('\\', '/').replaceAll("^/+", "").replaceAll("/+$", "");
        for (String seg : a.split("/")) {
            if (!a.isEmpty() && (seg.isEmpty() || seg.equals("..") || seg.equals("."))) {
                throw new IllegalArgumentException("artifact path '" + artifactPath + "': expected a relative path"
                        + " like 'figures' or 'model/weights' without '.', '..' or empty segments");
            }
        }
        return a;
    }

    private static String requireKey(String key, String what) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException(what + " key must be a non-empty string");
        }
        return key;
    }

    private static long now() {
        return System.currentTimeMillis();
    }

    @Override
    public void finish(Status status, String error) {
        synchronized (this) {
            if (finished) {
                return;
            }
            RunRecord r = new RunRecord.Finish(start.attempt(), nextSeq++, now(), status, error);
            append(List.of(r));
            finished = true;
        }
        try {
            if (sender != null) {
                sender.finish(status == Status.KILLED);
            }
        } finally {
            out.close();
            if (lock != null) {
                lock.close();
            }
            hook.remove();
        }
    }
}
