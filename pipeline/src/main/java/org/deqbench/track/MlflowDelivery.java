package org.deqbench.track;

import java.io.Closeable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.mlflow.api.proto.Service;

/**
 * Delivers the run-log records of one attempt to MLflow, exactly once, and records in the ack log
 * what the server acknowledged. The live tracker and {@code deqbench mlflow sync} both use it, so
 * a node's records reach MLflow the same way whether the server was up at the time or not.
 *
 * <p>Structure: one MLflow experiment per deqbench experiment (get-by-name, else create); one
 * parent run per pipeline run, found by its tag {@code deqbench.node_key = pipeline/<id>} or
 * created; one nested run per node attempt ({@code mlflow.parentRunId}), found by its tag
 * {@code deqbench.node_key} before it is created, so a run is never created twice.
 *
 * <p>Params, metrics and tags go through {@code runs/log-batch} within MLflow's request limits
 * (1000 metrics, 100 params, 100 tags, 1000 items, 1 MB); param values longer than 6000 characters
 * and tag values longer than 5000 are cut with a marker (the run log keeps them whole).
 *
 * <p>Exactly once: a record is acknowledged only after the server answered 200. When a request
 * failed in a way that may still have reached the server (timeout, 5xx, connection lost after
 * sending), or the run existed already, the metric history of the keys still to be sent is read
 * back and points the server already has (same key, step, timestamp and value) are acknowledged
 * instead of sent. Params (same value) and tags are idempotent in MLflow; artifact uploads
 * overwrite; status updates repeat harmlessly.
 */
final class MlflowDelivery implements Closeable {
    static final int MAX_METRICS = 1000;
    static final int MAX_PARAMS = 100;
    static final int MAX_TAGS = 100;
    static final int MAX_ENTITIES = 1000;
    /** MLflow accepts 1 MB per request; the rest is left for JSON syntax. */
    static final int MAX_BATCH_BYTES = 800_000;
    static final int MAX_PARAM_VALUE = 6000;
    static final int MAX_TAG_VALUE = 5000;
    static final int MAX_KEY = 250;
    static final String NODE_KEY_TAG = "deqbench.node_key";
    static final String ERROR_TAG = "deqbench.error";
    private static final Pattern VALID_KEY = Pattern.compile("[\\w./\\- ]+");
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final MlflowGateway gw;
    private final Map<String, String> experimentIds = new HashMap<>();
    private final Map<String, String> parentRunIds = new HashMap<>();
    private final DeliveryStats stats = new DeliveryStats();
    private final Consumer<String> warn;
    private final Set<String> warned = new HashSet<>();

    /** @param warn where warnings go (already redacted), e.g. a rejected record */
    MlflowDelivery(MlflowGateway gw, Consumer<String> warn) {
        this.gw = gw;
        this.warn = message -> warn.accept(gw.redactor().redact(message));
    }

    DeliveryStats stats() {
        return stats;
    }

    MlflowSettings settings() {
        return gw.settings();
    }

    Redactor redactor() {
        return gw.redactor();
    }

    /** An experiment id already resolved (by the runner), saving a lookup. */
    void presetExperiment(String name, String id) {
        experimentIds.put(name, id);
    }

    /** A parent run already created (by the runner) for a pipeline run. */
    void presetParent(String pipelineRunId, String runId) {
        parentRunIds.put(pipelineRunId, runId);
    }

    /**
     * Sends every record of {@code records} (one attempt, ascending seq) not yet acknowledged,
     * retrying transient failures with exponential backoff; the retry window restarts whenever a
     * request succeeds. Throws the last failure when the window ({@code budget}; zero: a single
     * try) is exhausted, or at once when the server refuses (401, 403, 404...). Records the server
     * rejects as invalid are recorded as rejected and skipped.
     */
    void deliver(AttemptState st, List<RunRecord> records, Duration budget) throws MlflowCallException {
        withRetry(st, budget, () -> deliverOnce(st, records));
    }

    /**
     * Ends the run of an attempt whose log has no finish record (the process died without writing
     * one) with {@code status}.
     */
    void close(AttemptState st, Tracker.Status status, long endTime, Duration budget) throws MlflowCallException {
        withRetry(st, budget, () -> {
            ensureRun(st);
            gw.setTerminated(st.runId, status, endTime);
            stats.statuses++;
            if (st.first instanceof RunRecord.Start s && s.closesPipeline() && st.parentRunId != null) {
                gw.setTerminated(st.parentRunId, status, endTime);
                stats.statuses++;
            }
            st.acks.closed(st.attempt(), st.runId);
            st.closed = true;
        });
    }

    private interface Step {
        void run() throws MlflowCallException;
    }

    private void withRetry(AttemptState st, Duration budget, Step step) throws MlflowCallException {
        Duration initial = positive(gw.settings().initialBackoff());
        Duration backoff = initial;
        long deadline = System.nanoTime() + budget.toNanos();
        while (true) {
            long before = st.progress;
            try {
                step.run();
                return;
            } catch (MlflowCallException e) {
                if (e.ambiguous()) {
                    st.uncertain = true;
                }
                if (e.kind() != MlflowCallException.Kind.TRANSIENT) {
                    throw e;
                }
                long now = System.nanoTime();
                if (st.progress > before) {
                    deadline = now + budget.toNanos();
                    backoff = initial;
                }
                if (now + backoff.toNanos() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(backoff.toMillis(), backoff.toNanosPart() % 1_000_000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    private static Duration positive(Duration d) {
        return d.isZero() || d.isNegative() ? Duration.ofMillis(1) : d;
    }

    private void deliverOnce(AttemptState st, List<RunRecord> records) throws MlflowCallException {
        ensureRun(st);
        if (records.stream().allMatch(r -> st.isDone(r.seq()))) {
            return;
        }
        if (st.uncertain) {
            reconcile(st, records);
        }
        Batch b = new Batch();
        MlflowCallException refused = null;
        for (RunRecord r : records) {
            if (st.isDone(r.seq())) {
                continue;
            }
            if (r instanceof RunRecord.Start || r instanceof RunRecord.PipelineStart) {
                b.completed.add(r.seq());
            } else if (r instanceof RunRecord.Params p) {
                addParams(st, b, p);
            } else if (r instanceof RunRecord.Metric m) {
                if (checkKey(st, r, m.key())) {
                    addMetric(st, b, m);
                }
            } else if (r instanceof RunRecord.Tag t) {
                if (checkKey(st, r, t.key())) {
                    addTag(st, b, t.key(), t.value(), t.seq());
                    b.completed.add(t.seq());
                }
            } else if (r instanceof RunRecord.Artifact a) {
                flush(st, b);
                try {
                    upload(st, a);
                } catch (MlflowCallException e) {
                    if (e.kind() == MlflowCallException.Kind.TRANSIENT) {
                        throw e;
                    }
                    // An artifact the server will not take must not hold back the records after it.
                    if (e.kind() == MlflowCallException.Kind.REJECTED) {
                        reject(st, List.of(a.seq()), e.getMessage());
                    } else if (refused == null) {
                        refused = e;
                    }
                }
            } else if (r instanceof RunRecord.Finish f) {
                if (f.error() != null) {
                    addTag(st, b, ERROR_TAG, f.error(), f.seq());
                }
                flush(st, b);
                gw.setTerminated(st.runId, f.status(), f.ts());
                stats.statuses++;
                RunRecord.Start s = (RunRecord.Start) st.first;
                if (s.closesPipeline() && st.parentRunId != null) {
                    gw.setTerminated(st.parentRunId, f.status(), f.ts());
                    stats.statuses++;
                }
                ack(st, List.of(f.seq()));
            } else if (r instanceof RunRecord.Inputs in) {
                flush(st, b);
                gw.logInputs(st.runId, in.datasets());
                ack(st, List.of(in.seq()));
            } else if (r instanceof RunRecord.ParentLog p) {
                flush(st, b);
                logToParent(st, p);
                ack(st, List.of(p.seq()));
            } else if (r instanceof RunRecord.PipelineFinish f) {
                flush(st, b);
                gw.setTerminated(st.runId, f.status(), f.ts());
                stats.statuses++;
                ack(st, List.of(f.seq()));
            }
        }
        flush(st, b);
        if (refused != null) {
            // Left unacknowledged: a later sync retries it once the server is set up to take it.
            throw refused;
        }
    }

    // ---- runs

    private void ensureRun(AttemptState st) throws MlflowCallException {
        if (st.runId != null && st.verifyRunId) {
            Optional<Service.Run> r = gw.getRun(st.runId);
            st.verifyRunId = false;
            if (r.isPresent()) {
                st.artifactUri = r.get().getInfo().getArtifactUri();
                st.experimentId = r.get().getInfo().getExperimentId();
                st.uncertain = true;
                return;
            }
            warn.accept(st.label() + ": the MLflow run " + st.runId + " recorded in " + st.acks.file()
                    + " is not on the server (deleted, or another server); looking it up by its tag instead");
            st.runId = null;
        }
        if (st.runId != null) {
            return;
        }
        String expId = experimentId(st.mlflowExperiment());
        if (st.first instanceof RunRecord.PipelineStart p) {
            RunRef parent = ensureParent(expId, p.attempt(),
                    pipelineTags(p.attempt(), p.experiment(), p.specHash(), p.runDir(), p.gitCommit(), p.image()),
                    p.experiment(), p.ts());
            st.runId = parent.runId();
            st.uncertain |= parent.existed();
        } else {
            RunRecord.Start s = (RunRecord.Start) st.first;
            String parentId = parentRunIds.get(s.pipelineRunId());
            if (parentId == null) {
                parentId = ensureParent(expId, s.pipelineRunId(),
                        pipelineTags(s.pipelineRunId(), s.experiment(), s.specHash(), s.runDir(), s.gitCommit(), s.image()),
                        s.experiment(), System.currentTimeMillis()).runId();
            }
            st.parentRunId = parentId;
            List<Service.Run> found = gw.searchRuns(expId, tagFilter(NODE_KEY_TAG, s.nodeKey()));
            if (!found.isEmpty()) {
                Service.RunInfo info = oldest(found);
                st.runId = info.getRunId();
                st.artifactUri = info.getArtifactUri();
                st.uncertain = true;
            } else {
                Service.RunInfo info = gw.createRun(createRun(expId, s.node(), s.ts(), nodeTags(s, parentId)));
                stats.runsCreated++;
                st.runId = info.getRunId();
                st.artifactUri = info.getArtifactUri();
                st.uncertain = false; // a new run holds nothing yet
            }
        }
        st.experimentId = expId;
        st.acks.run(st.attempt(), st.runId, expId, st.parentRunId);
    }

    private record RunRef(String runId, boolean existed) {
    }

    /**
     * The parent run of a pipeline run: found by tag, else created. Two processes that start the
     * same pipeline run at once (pods of one DAG run) may both create one; each then searches
     * again and keeps the older (by start time, then id), deleting its own if it lost, so both end
     * up with the same parent. Start times are creation times for this to hold.
     */
    private RunRef ensureParent(String expId, String pipelineRunId, Map<String, String> tags, String experiment,
                                long startTime) throws MlflowCallException {
        String cached = parentRunIds.get(pipelineRunId);
        if (cached != null) {
            return new RunRef(cached, true);
        }
        String filter = tagFilter(NODE_KEY_TAG, tags.get(NODE_KEY_TAG));
        List<Service.Run> found = gw.searchRuns(expId, filter);
        if (!found.isEmpty()) {
            String id = oldest(found).getRunId();
            parentRunIds.put(pipelineRunId, id);
            return new RunRef(id, true);
        }
        Service.RunInfo mine = gw.createRun(createRun(expId, experiment + " " + pipelineRunId, startTime, tags));
        stats.runsCreated++;
        List<Service.RunInfo> all = new ArrayList<>();
        all.add(mine);
        gw.searchRuns(expId, filter).forEach(r -> all.add(r.getInfo()));
        Service.RunInfo winner = all.stream().min(OLDEST).orElse(mine);
        if (!winner.getRunId().equals(mine.getRunId())) {
            try {
                gw.deleteRun(mine.getRunId());
                stats.runsCreated--;
            } catch (MlflowCallException e) {
                warn.accept("pipeline " + pipelineRunId + ": could not delete the duplicate parent run "
                        + mine.getRunId() + " (" + e.getMessage() + ")");
            }
        }
        parentRunIds.put(pipelineRunId, winner.getRunId());
        return new RunRef(winner.getRunId(), false);
    }

    private static final Comparator<Service.RunInfo> OLDEST =
            Comparator.comparingLong(Service.RunInfo::getStartTime).thenComparing(Service.RunInfo::getRunId);

    private static Service.RunInfo oldest(List<Service.Run> runs) {
        return runs.stream().map(Service.Run::getInfo).min(OLDEST).orElseThrow();
    }

    private String experimentId(String name) throws MlflowCallException {
        String id = experimentIds.get(name);
        if (id != null) {
            return id;
        }
        Optional<String> found = gw.experimentIdByName(name);
        if (found.isEmpty()) {
            try {
                found = Optional.of(gw.createExperiment(name));
            } catch (MlflowCallException e) {
                // Another process created it between the lookup and the create.
                if (e.kind() != MlflowCallException.Kind.REJECTED) {
                    throw e;
                }
                found = gw.experimentIdByName(name);
                if (found.isEmpty()) {
                    throw e;
                }
            }
        }
        experimentIds.put(name, found.get());
        return found.get();
    }

    static String tagFilter(String key, String value) {
        return "tags.`" + key + "` = '" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static Service.CreateRun createRun(String expId, String name, long startTime, Map<String, String> tags) {
        Service.CreateRun.Builder b = Service.CreateRun.newBuilder().setExperimentId(expId).setRunName(name)
                .setStartTime(startTime).setUserId(System.getProperty("user.name", "deqbench"));
        tags.forEach((k, v) -> b.addTags(Service.RunTag.newBuilder().setKey(k).setValue(cut(v, MAX_TAG_VALUE))));
        return b.build();
    }

    static Map<String, String> nodeTags(RunRecord.Start s, String parentRunId) {
        Map<String, String> t = new LinkedHashMap<>();
        t.put("mlflow.parentRunId", parentRunId);
        t.put("mlflow.source.type", "JOB");
        t.put("mlflow.source.name", "deqbench " + s.stage());
        putIf(t, "mlflow.source.git.commit", s.gitCommit());
        t.put(NODE_KEY_TAG, s.nodeKey());
        t.put("deqbench.role", "node");
        t.put("deqbench.node", s.node());
        t.put("deqbench.stage", s.stage());
        putIf(t, "deqbench.task", s.task());
        putIf(t, "deqbench.method", s.method());
        t.put("deqbench.pipeline_run_id", s.pipelineRunId());
        t.put("deqbench.experiment", s.experiment());
        putIf(t, "deqbench.spec_hash", s.specHash());
        putIf(t, "deqbench.node_hash", s.nodeHash());
        putIf(t, "deqbench.run_dir", s.runDir());
        putIf(t, "deqbench.git_commit", s.gitCommit());
        putIf(t, "deqbench.image", s.image());
        t.put("deqbench.attempt", s.attempt());
        return t;
    }

    static Map<String, String> pipelineTags(String pipelineRunId, String experiment, String specHash, String runDir,
                                            String gitCommit, String image) {
        Map<String, String> t = new LinkedHashMap<>();
        t.put("mlflow.source.type", "JOB");
        t.put("mlflow.source.name", "deqbench run");
        putIf(t, "mlflow.source.git.commit", gitCommit);
        t.put(NODE_KEY_TAG, "pipeline/" + pipelineRunId);
        t.put("deqbench.role", "pipeline");
        t.put("deqbench.pipeline_run_id", pipelineRunId);
        t.put("deqbench.experiment", experiment);
        putIf(t, "deqbench.spec_hash", specHash);
        putIf(t, "deqbench.run_dir", runDir);
        putIf(t, "deqbench.git_commit", gitCommit);
        putIf(t, "deqbench.image", image);
        return t;
    }

    private static void putIf(Map<String, String> m, String k, String v) {
        if (v != null && !v.isEmpty()) {
            m.put(k, v);
        }
    }

    // ---- batches

    /** One runs/log-batch request being filled. */
    private static final class Batch {
        final List<Service.Metric> metrics = new ArrayList<>();
        final List<Service.Param> params = new ArrayList<>();
        final List<Service.RunTag> tags = new ArrayList<>();
        /** Records with at least one item in this request. */
        final Set<Long> members = new LinkedHashSet<>();
        /** Records whose last item is in this request (or that need no request): acknowledged with it. */
        final List<Long> completed = new ArrayList<>();
        int bytes;

        boolean fits(List<?> kind, int limit, int size) {
            return kind.size() < limit && items() < MAX_ENTITIES && bytes + size <= MAX_BATCH_BYTES;
        }

        int items() {
            return metrics.size() + params.size() + tags.size();
        }

        void clear() {
            metrics.clear();
            params.clear();
            tags.clear();
            members.clear();
            completed.clear();
            bytes = 0;
        }
    }

    /**
     * A node's {@link RunRecord.ParentLog} on its parent run, within MLflow's limits: params with
     * valid keys (≤ 250 characters) and scalar values (not JSON lists or objects), cut to 6000
     * characters, 100 per request; metrics ≤ 1000 per request; tags ≤ 100 per request. Nothing
     * when the node has no parent run.
     */
    private void logToParent(AttemptState st, RunRecord.ParentLog p) throws MlflowCallException {
        if (st.parentRunId == null) {
            return;
        }
        List<Service.Param> params = new ArrayList<>();
        for (Map.Entry<String, String> e : p.params().entrySet()) {
            String v = e.getValue();
            if (validKey(e.getKey()) && v != null && !v.startsWith("[") && !v.startsWith("{")) {
                params.add(Service.Param.newBuilder().setKey(e.getKey()).setValue(cut(v, MAX_PARAM_VALUE)).build());
            }
        }
        List<Service.Metric> metrics = new ArrayList<>();
        p.metrics().forEach((k, v) -> {
            if (validKey(k) && v != null && Double.isFinite(v)) {
                metrics.add(Service.Metric.newBuilder().setKey(k).setValue(v).setTimestamp(p.ts()).setStep(0).build());
            }
        });
        List<Service.RunTag> tags = new ArrayList<>();
        p.tags().forEach((k, v) -> {
            if (validKey(k) && v != null) {
                String value = st.runId == null ? v : v.replace(RunRecord.ParentLog.NODE_RUN_ID, st.runId);
                tags.add(Service.RunTag.newBuilder().setKey(k).setValue(cut(value, MAX_TAG_VALUE)).build());
            }
        });
        for (int i = 0; i < Math.max(params.size(), 1); i += MAX_PARAMS) {
            List<Service.Param> ps = params.subList(Math.min(i, params.size()), Math.min(i + MAX_PARAMS, params.size()));
            List<Service.Metric> ms = i == 0 ? metrics.subList(0, Math.min(metrics.size(), MAX_METRICS - MAX_TAGS - MAX_PARAMS))
                    : List.of();
            List<Service.RunTag> ts = i == 0 ? tags.subList(0, Math.min(tags.size(), MAX_TAGS)) : List.of();
            if (!ps.isEmpty() || !ms.isEmpty() || !ts.isEmpty()) {
                gw.logBatch(st.parentRunId, ms, ps, ts);
            }
        }
        for (int i = MAX_METRICS - MAX_TAGS - MAX_PARAMS; i < metrics.size(); i += MAX_METRICS) {
            gw.logBatch(st.parentRunId, metrics.subList(i, Math.min(i + MAX_METRICS, metrics.size())), List.of(), List.of());
        }
        for (int i = MAX_TAGS; i < tags.size(); i += MAX_TAGS) {
            gw.logBatch(st.parentRunId, List.of(), List.of(), tags.subList(i, Math.min(i + MAX_TAGS, tags.size())));
        }
    }

    private void addParams(AttemptState st, Batch b, RunRecord.Params p) throws MlflowCallException {
        for (Map.Entry<String, String> e : new TreeMap<>(p.params()).entrySet()) {
            String k = e.getKey();
            if (!st.isFirstParam(k, p.seq())) {
                String first = st.firstParamValue(k);
                if (!e.getValue().equals(first) && warned.add(st.attempt() + "/param/" + k)) {
                    warn.accept(st.label() + ": param '" + k + "' was logged again with a different value; MLflow"
                            + " keeps the first ('" + shorten(first) + "'), the run log has both");
                }
                continue;
            }
            if (!validKey(k)) {
                warnOnce(st, "key/" + k, st.label() + ": param key '" + shorten(k) + "' is not a valid MLflow key"
                        + " (letters, digits, _ - . / and spaces, at most " + MAX_KEY + " characters); kept in the run log only");
                continue;
            }
            String v = cut(e.getValue(), MAX_PARAM_VALUE);
            int size = k.length() + v.length() + 32;
            if (!b.fits(b.params, MAX_PARAMS, size)) {
                flush(st, b);
            }
            b.params.add(Service.Param.newBuilder().setKey(k).setValue(v).build());
            b.members.add(p.seq());
            b.bytes += size;
        }
        b.completed.add(p.seq());
    }

    private void addMetric(AttemptState st, Batch b, RunRecord.Metric m) throws MlflowCallException {
        int size = m.key().length() + 64;
        if (!b.fits(b.metrics, MAX_METRICS, size)) {
            flush(st, b);
        }
        b.metrics.add(Service.Metric.newBuilder().setKey(m.key()).setValue(m.value()).setTimestamp(m.ts())
                .setStep(m.step()).build());
        b.members.add(m.seq());
        b.completed.add(m.seq());
        b.bytes += size;
    }

    private void addTag(AttemptState st, Batch b, String key, String value, long seq) throws MlflowCallException {
        String v = cut(value == null ? "" : value, MAX_TAG_VALUE);
        int size = key.length() + v.length() + 32;
        if (!b.fits(b.tags, MAX_TAGS, size)) {
            flush(st, b);
        }
        b.tags.add(Service.RunTag.newBuilder().setKey(key).setValue(v).build());
        b.members.add(seq);
        b.bytes += size;
    }

    private boolean checkKey(AttemptState st, RunRecord r, String key) {
        if (validKey(key)) {
            return true;
        }
        warnOnce(st, "key/" + key, st.label() + ": '" + shorten(key) + "' is not a valid MLflow key (letters,"
                + " digits, _ - . / and spaces, at most " + MAX_KEY + " characters); kept in the run log only");
        st.acks.done(st.attempt(), AckLog.REJECTED, st.runId, List.of(r.seq()), "invalid key");
        st.markDone(List.of(r.seq()));
        stats.rejected++;
        return false;
    }

    static boolean validKey(String k) {
        return k != null && !k.isEmpty() && k.length() <= MAX_KEY && VALID_KEY.matcher(k).matches()
                && !k.startsWith("/") && !k.contains("..");
    }

    /** Cuts a value to {@code max} characters, the end replaced by a marker saying so. */
    static String cut(String v, int max) {
        if (v.length() <= max) {
            return v;
        }
        String marker = "…[truncated from " + v.length() + " characters; the whole value is in the run log]";
        return v.substring(0, max - marker.length()) + marker;
    }

    private void flush(AttemptState st, Batch b) throws MlflowCallException {
        if (b.items() > 0) {
            try {
                gw.logBatch(st.runId, b.metrics, b.params, b.tags);
            } catch (MlflowCallException e) {
                if (e.kind() != MlflowCallException.Kind.REJECTED) {
                    throw e;
                }
                reject(st, new ArrayList<>(b.members), e.getMessage());
                List<Long> rest = new ArrayList<>(b.completed);
                rest.removeAll(b.members);
                ack(st, rest);
                b.clear();
                return;
            }
            stats.metrics += b.metrics.size();
            stats.params += b.params.size();
            stats.tags += b.tags.size();
        }
        ack(st, b.completed);
        b.clear();
    }

    private void reject(AttemptState st, List<Long> seqs, String reason) {
        warn.accept(st.label() + ": MLflow rejected " + seqs.size() + " record(s) (" + reason
                + "); they stay in the run log only");
        st.acks.done(st.attempt(), AckLog.REJECTED, st.runId, seqs, reason);
        st.markDone(seqs);
        stats.rejected += seqs.size();
    }

    private void ack(AttemptState st, List<Long> seqs) {
        if (!seqs.isEmpty()) {
            List<Long> copy = List.copyOf(seqs);
            st.acks.done(st.attempt(), AckLog.ACKED, st.runId, copy, null);
            st.markDone(copy);
        }
    }

    // ---- reconciliation

    private record Point(long step, long ts, long valueBits) {
    }

    /** Acknowledges the metric points of {@code records} that the server already has. */
    private void reconcile(AttemptState st, List<RunRecord> records) throws MlflowCallException {
        Map<String, List<RunRecord.Metric>> byKey = new LinkedHashMap<>();
        for (RunRecord r : records) {
            if (r instanceof RunRecord.Metric m && !st.isDone(m.seq()) && validKey(m.key())) {
                byKey.computeIfAbsent(m.key(), k -> new ArrayList<>()).add(m);
            }
        }
        List<Long> present = new ArrayList<>();
        for (Map.Entry<String, List<RunRecord.Metric>> e : byKey.entrySet()) {
            Map<Point, Integer> server = new HashMap<>();
            for (Service.Metric m : gw.metricHistory(st.runId, e.getKey())) {
                server.merge(new Point(m.getStep(), m.getTimestamp(), Double.doubleToLongBits(m.getValue())), 1, Integer::sum);
            }
            for (RunRecord.Metric m : e.getValue()) {
                Point p = new Point(m.step(), m.ts(), Double.doubleToLongBits(m.value()));
                Integer n = server.get(p);
                if (n != null && n > 0) {
                    server.put(p, n - 1);
                    present.add(m.seq());
                }
            }
        }
        if (!present.isEmpty()) {
            st.acks.done(st.attempt(), AckLog.ACKED, st.runId, present, "already on the server");
            st.markDone(present);
            stats.alreadyPresent += present.size();
        }
        st.uncertain = false;
    }

    // ---- artifacts

    private void upload(AttemptState st, RunRecord.Artifact a) throws MlflowCallException {
        RunRecord.Start s = (RunRecord.Start) st.first;
        Path logged = Path.of(a.path());
        Path committed = a.nodeRelative() == null ? null
                : Path.of(s.runDir()).resolve(s.node()).resolve(a.nodeRelative());
        for (RunRecord.ArtifactFile f : a.files()) {
            Path src = locate(logged, committed, a.folder(), f.name());
            if (src == null) {
                warnOnce(st, "artifact/" + a.seq() + "/" + f.name(), st.label() + ": artifact file " + f.name()
                        + " of " + a.path() + " no longer exists; not uploaded");
                continue;
            }
            String dest = a.artifactPath().isEmpty() ? f.name() : a.artifactPath() + "/" + f.name();
            gw.upload(st.artifactUri, dest, src);
            stats.artifactFiles++;
        }
        ack(st, List.of(a.seq()));
    }

    /** Where a logged file is now: where it was logged, or in the node's committed folder. */
    private static Path locate(Path logged, Path committed, boolean folder, String name) {
        for (Path base : new Path[] {logged, committed}) {
            if (base != null) {
                Path p = folder ? base.resolve(name) : base;
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    private void warnOnce(AttemptState st, String key, String message) {
        if (warned.add(st.attempt() + "/" + key)) {
            warn.accept(message);
        }
    }

    private static String shorten(String s) {
        return s == null ? "" : s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }

    @Override
    public void close() {
        gw.close();
    }
}
