package org.deqbench.track;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Streams the records of one live node attempt to MLflow on a background thread, so a stage never
 * waits for the server: records are buffered for the flush interval (or until 1000 are waiting,
 * or an artifact or the finish record arrives) and handed to {@link MlflowDelivery}.
 *
 * <p>When the server cannot be reached within the retry window the sender says so once on stderr
 * and carries on with the local run log alone; it then tries again with a single request every
 * probe interval, and once more when the node finishes. Whatever is still unacknowledged at the
 * end is delivered later by {@code deqbench mlflow sync}.
 */
final class MlflowSender {
    private final MlflowDelivery delivery;
    private final AttemptState state;
    private final MlflowSettings settings;
    private final Path runDir;
    private final Path logFile;
    private final List<RunRecord> queue = new ArrayList<>();
    private final Thread thread;
    private boolean urgent;
    private boolean finishing;
    private volatile boolean degraded;
    private volatile boolean announced;

    MlflowSender(MlflowDelivery delivery, AttemptState state, Path runDir, Path logFile) {
        this.delivery = delivery;
        this.state = state;
        this.settings = delivery.settings();
        this.runDir = runDir;
        this.logFile = logFile;
        this.thread = new Thread(this::loop, "deqbench-mlflow-" + state.label());
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Queues records just written to the run log (in sequence order). */
    synchronized void accept(List<RunRecord> records) {
        for (RunRecord r : records) {
            state.observe(r);
            queue.add(r);
            if (r instanceof RunRecord.Artifact || r instanceof RunRecord.Finish) {
                urgent = true;
            }
        }
        // While the server is away the sender sleeps until its next probe; no need to wake it.
        if (!degraded && (urgent || queue.size() >= MlflowDelivery.MAX_METRICS)) {
            notifyAll();
        }
    }

    private void loop() {
        long nextProbe = 0;
        while (true) {
            List<RunRecord> pending;
            boolean last;
            synchronized (this) {
                long waitMillis;
                if (finishing) {
                    waitMillis = 0;
                } else if (degraded) {
                    waitMillis = Math.max(1, (nextProbe - System.nanoTime()) / 1_000_000);
                } else if (urgent || queue.size() >= MlflowDelivery.MAX_METRICS) {
                    waitMillis = 0;
                } else {
                    waitMillis = Math.max(1, settings.flushInterval().toMillis());
                }
                if (waitMillis > 0) {
                    try {
                        wait(waitMillis);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                last = finishing;
                if (queue.isEmpty()) {
                    if (last) {
                        return;
                    }
                    continue;
                }
                if (degraded && !last && System.nanoTime() < nextProbe) {
                    continue;
                }
                urgent = false;
                pending = new ArrayList<>(queue);
            }
            try {
                delivery.deliver(state, pending, degraded ? Duration.ZERO : settings.retryBudget());
                degraded = false;
            } catch (MlflowCallException e) {
                giveUp(e.getMessage());
            } catch (RuntimeException e) {
                // Never let tracking take the stage down; the run log has the records.
                giveUp(delivery.redactor().describe(e));
            }
            nextProbe = System.nanoTime() + settings.probeInterval().toNanos();
            synchronized (this) {
                queue.removeIf(r -> state.isDone(r.seq()));
                if (last && (degraded || queue.isEmpty())) {
                    return;
                }
            }
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
        }
    }

    private void giveUp(String reason) {
        degraded = true;
        if (!announced) {
            announced = true;
            System.err.println(delivery.redactor().redact("deqbench: MLflow tracking at " + settings.host()
                    + " failed for " + state.label() + ": " + reason + ". Carrying on with the local run log only ("
                    + logFile + "); trying again every " + settings.probeInterval().toSeconds()
                    + " s. 'deqbench mlflow sync " + runDir + "' delivers whatever MLflow missed."));
        }
    }

    /**
     * Lets the sender deliver what is left, then stops it. A finishing node waits as long as
     * delivery makes progress, until the retry window passes without any; a killed node waits at
     * most the kill wait.
     */
    void finish(boolean killed) {
        synchronized (this) {
            finishing = true;
            notifyAll();
        }
        try {
            if (killed) {
                thread.join(Math.max(1, settings.killWait().toMillis()));
            } else {
                long patience = settings.retryBudget().plus(settings.requestTimeout()).toMillis() + 1000;
                long lastProgress = state.progress;
                long since = System.currentTimeMillis();
                while (thread.isAlive() && System.currentTimeMillis() - since < patience) {
                    thread.join(200);
                    if (state.progress != lastProgress) {
                        lastProgress = state.progress;
                        since = System.currentTimeMillis();
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt();
            if (!announced) {
                announced = true;
                System.err.println("deqbench: MLflow delivery for " + state.label() + " did not complete in time;"
                        + " 'deqbench mlflow sync " + runDir + "' delivers whatever MLflow missed.");
            }
        }
        delivery.close();
        state.acks.close();
    }
}
