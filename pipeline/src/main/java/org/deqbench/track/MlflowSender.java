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
 * <p>Every request is made once. When one fails (refused, timed out, or an error answer) the sender
 * says so once on stderr, goes offline for the rest of the node, and leaves the note
 * {@link MlflowOffline} in the run directory so that the next nodes do not try either. Whatever is
 * unacknowledged is delivered later by {@code deqbench mlflow sync}.
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
        if (degraded) {
            queue.clear(); // offline for the rest of the node: the run log has them, the sync sends them
            return;
        }
        if (urgent || queue.size() >= MlflowDelivery.MAX_METRICS) {
            notifyAll();
        }
    }

    private void loop() {
        while (true) {
            List<RunRecord> pending;
            boolean last;
            synchronized (this) {
                long waitMillis;
                if (degraded) {
                    return;
                } else if (finishing) {
                    waitMillis = 0;
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
                urgent = false;
                pending = new ArrayList<>(queue);
            }
            try {
                delivery.deliver(state, pending, Duration.ZERO);
            } catch (MlflowCallException e) {
                if (e.kind() == MlflowCallException.Kind.TRANSIENT) {
                    giveUp(e.getMessage());
                } else {
                    // the server answers but will not take something (an artifact store it does not
                    // proxy, a credential it refuses): say so once, keep sending the rest
                    refusedOnce(e.getMessage());
                }
            } catch (RuntimeException e) {
                // Never let tracking take the stage down; the run log has the records.
                giveUp(delivery.redactor().describe(e));
            }
            synchronized (this) {
                queue.removeIf(r -> state.isDone(r.seq()));
                if (last) { // one final attempt; what is left goes by sync
                    return;
                }
            }
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
        }
    }

    private void refusedOnce(String reason) {
        if (!announced) {
            announced = true;
            System.err.println(delivery.redactor().redact("deqbench: MLflow at " + settings.host() + " refused part of"
                    + " what " + state.label() + " sent: " + reason + ". The rest is delivered; 'deqbench mlflow sync "
                    + runDir + "' retries it."));
        }
    }

    private void giveUp(String reason) {
        degraded = true;
        String redacted = delivery.redactor().redact(reason);
        MlflowOffline.mark(runDir, settings.host(), state.label(), redacted);
        if (!announced) {
            announced = true;
            System.err.println(delivery.redactor().redact("deqbench: MLflow tracking at " + settings.host()
                    + " failed for " + state.label() + ": " + reason + ". Carrying on with the local run log only ("
                    + logFile + ") for this node, and the next nodes for " + settings.probeInterval().toSeconds()
                    + " s; 'deqbench mlflow sync " + runDir + "' delivers whatever MLflow missed."));
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
                // single attempts: a stuck delivery fails within one request's time limit (uploads
                // get more per byte, and a live server is waited for while it makes progress)
                long patience = settings.requestTimeout().multipliedBy(2).toMillis() + 1000;
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
