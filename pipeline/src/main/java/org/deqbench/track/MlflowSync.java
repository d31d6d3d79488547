package org.deqbench.track;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Delivers to MLflow everything in a run directory's run log that the server has not
 * acknowledged ({@code deqbench mlflow sync <run-dir>}), exactly once: run ids and acknowledged
 * sequence numbers are read from {@code runlog/acks/}, runs missing there are looked up by their
 * {@code deqbench.node_key} tag before any is created, and metric points are compared with the
 * server's history before they are resent (see {@link MlflowDelivery}). Running it twice, or after
 * an interrupted sync, sends nothing twice.
 *
 * <p>Attempts of nodes that are still running (their lock is held) are skipped; attempts whose
 * process died without a finish record get status KILLED. One sync at a time per run directory.
 */
public final class MlflowSync {
    private MlflowSync() {
    }

    /**
     * @param env environment with {@code MLFLOW_TRACKING_URI} and credentials
     * @param out where progress, warnings and the summary go
     * @throws IllegalArgumentException when MLflow is not configured, the directory has no run log,
     *                                  or another sync holds the run directory
     */
    public static SyncReport sync(Path runDir, Map<String, String> env, PrintWriter out) {
        MlflowSettings settings = MlflowSettings.fromEnv(env).orElseThrow(() -> new IllegalArgumentException(
                TrackingEnv.TRACKING_URI + " is not set: set it to http(s)://host:port of the MLflow tracking"
                        + " server to deliver to (and " + TrackingEnv.TOKEN + " or " + TrackingEnv.USERNAME + "/"
                        + TrackingEnv.PASSWORD + " if it needs credentials)"));
        if (!Files.isDirectory(RunLogLayout.dir(runDir))) {
            throw new IllegalArgumentException(runDir + " has no run log (" + RunLogLayout.DIR + "/): expected"
                    + " the run directory of a deqbench run, e.g. runs/<experiment>");
        }
        Optional<ProcessLock> syncLock = ProcessLock.tryAcquire(RunLogLayout.syncLock(runDir));
        if (syncLock.isEmpty()) {
            throw new IllegalArgumentException("another 'deqbench mlflow sync' is running on " + runDir
                    + " (it holds " + RunLogLayout.syncLock(runDir) + "); wait for it to finish");
        }
        Redactor redactor = settings.redactor();
        List<String> skipped = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        int attempts = 0;
        try (ProcessLock held = syncLock.get();
             MlflowDelivery delivery = new MlflowDelivery(new MlflowGateway(settings), m -> out.println("warning: " + m))) {
            out.println("deqbench mlflow sync " + runDir + " → " + settings.host());
            List<Path> files = new ArrayList<>(RunLogReader.files(runDir));
            // The pipeline log first, so parent runs exist before their children look for them.
            files.sort((a, b) -> Boolean.compare(!isPipeline(a), !isPipeline(b)));
            outer:
            for (Path file : files) {
                RunLogReader.FileRecords fr = RunLogReader.readFile(file);
                fr.warnings().forEach(w -> out.println("warning: " + w));
                boolean running = ProcessLock.isHeld(RunLogLayout.lockFile(file));
                AckLog acks = new AckLog(RunLogLayout.ackFile(file));
                Map<String, List<AckLog.Event>> events = AckLog.read(acks.file());
                Map<String, List<RunRecord>> byAttempt = fr.byAttempt();
                try {
                    for (Map.Entry<String, List<RunRecord>> e : byAttempt.entrySet()) {
                        List<RunRecord> records = e.getValue();
                        RunRecord first = records.get(0);
                        if (!(first instanceof RunRecord.Start) && !(first instanceof RunRecord.PipelineStart)) {
                            out.println("warning: " + file + ": attempt " + e.getKey() + " has no start record; skipped");
                            continue;
                        }
                        AttemptState st = new AttemptState(first, acks);
                        st.apply(events.getOrDefault(e.getKey(), List.of()));
                        records.forEach(st::observe);
                        boolean ended = records.stream().anyMatch(r -> r instanceof RunRecord.Finish
                                || r instanceof RunRecord.PipelineFinish);
                        boolean allDone = records.stream().allMatch(r -> st.isDone(r.seq()));
                        if (allDone && (ended || st.closed)) {
                            continue;
                        }
                        boolean latest = e.getKey().equals(lastAttempt(byAttempt));
                        if (running && latest) {
                            skipped.add(st.label() + " (attempt " + st.attempt() + ") is still running; sync again"
                                    + " when it has finished");
                            out.println("skipped " + skipped.get(skipped.size() - 1));
                            continue;
                        }
                        attempts++;
                        // Whatever an earlier process may have sent without recording it is checked first.
                        st.uncertain = true;
                        delivery.deliver(st, records, settings.retryBudget());
                        if (!ended && !st.closed) {
                            long last = records.get(records.size() - 1).ts();
                            delivery.close(st, Tracker.Status.KILLED, last, settings.retryBudget());
                            out.println(st.label() + ": no finish record (the process died); marked KILLED");
                        }
                        out.println("synced " + st.label() + " (attempt " + st.attempt() + ") → run " + st.runId);
                    }
                } catch (MlflowCallException ex) {
                    failures.add(ex.getMessage());
                    out.println(redactor.redact("stopped: " + ex.getMessage() + "; nothing is lost: run the sync"
                            + " again when the server is reachable"));
                    break outer;
                } finally {
                    acks.close();
                }
            }
            DeliveryStats s = delivery.stats();
            SyncReport report = new SyncReport(attempts, s.runsCreated, s.metrics, s.params, s.tags, s.artifactFiles,
                    s.statuses, s.alreadyPresent, s.rejected, skipped, failures);
            if (failures.isEmpty()) {
                MlflowOffline.clear(runDir); // the server answers again: nodes may use it
            }
            out.println(summary(report));
            out.flush();
            return report;
        }
    }

    private static boolean isPipeline(Path file) {
        return file.getFileName().toString().equals(RunLogLayout.PIPELINE + ".jsonl");
    }

    private static String lastAttempt(Map<String, List<RunRecord>> byAttempt) {
        String last = null;
        long ts = Long.MIN_VALUE;
        for (Map.Entry<String, List<RunRecord>> e : byAttempt.entrySet()) {
            long t = e.getValue().get(0).ts();
            if (t >= ts) {
                ts = t;
                last = e.getKey();
            }
        }
        return last;
    }

    static String summary(SyncReport r) {
        String head = String.format("%d attempt(s) synced: %d run(s) created, %d metric points, %d params, %d tags,"
                        + " %d artifact files, %d statuses sent; %d metric points were already on the server",
                r.attemptsSynced(), r.runsCreated(), r.metrics(), r.params(), r.tags(), r.artifactFiles(),
                r.statuses(), r.alreadyPresent());
        if (r.rejected() > 0) {
            head += "; " + r.rejected() + " record(s) rejected by MLflow (kept in the run log only)";
        }
        if (r.complete()) {
            return head + ". Everything in the run log is in MLflow.";
        }
        return head + ". Not complete: " + (r.failures().isEmpty() ? "" : "server unreachable; ")
                + (r.skipped().isEmpty() ? "" : r.skipped().size() + " running attempt(s) skipped; ")
                + "run the sync again.";
    }
}
