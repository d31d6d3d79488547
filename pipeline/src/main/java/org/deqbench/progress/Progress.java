package org.deqbench.progress;

import java.io.PrintStream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The one progress reporter of the pipeline, for long loops (simulating examples, epochs, …).
 * On a terminal it draws a progress bar (me.tongfei progressbar, redrawn every second); otherwise
 * (logs, pods, tests) it prints a plain line at start, at every tenth of the work, whenever
 * {@link #HEARTBEAT_SECONDS} pass without a line (also while one long step runs) and at the end,
 * on standard error so that machine-readable standard output stays clean:
 * <pre>
 *   try (Progress p = Progress.start("simulate/mri-4x", n)) {
 *       for (...) { ...; p.step(); }
 *   }
 * </pre>
 */
public final class Progress implements AutoCloseable {
    /** Longest silence between two plain lines, in seconds. */
    public static final long HEARTBEAT_SECONDS = 10;
    private final String label;
    private final long total;
    private final ProgressBar bar;
    private final PrintStream lines;
    private final long initial;
    private final long started = System.nanoTime();
    private long done;
    private long nextLine;
    private String message = "";
    private long lastLine = System.nanoTime();
    private java.util.Timer heartbeat;

    private Progress(String label, long total, long initial, ProgressBar bar, PrintStream lines) {
        this.label = label;
        this.total = total;
        this.initial = initial;
        this.done = initial;
        this.bar = bar;
        this.lines = lines;
        this.nextLine = Math.max(1, total / 10);
        while (nextLine <= done) {
            nextLine += Math.max(1, total / 10);
        }
        if (lines != null) {
            lines.println(label + ": " + initial + "/" + total);
            heartbeat = new java.util.Timer(label + " progress", true);
            long period = HEARTBEAT_SECONDS * 1000 / 2;
            heartbeat.scheduleAtFixedRate(new java.util.TimerTask() {
                @Override
                public void run() {
                    beat();
                }
            }, period, period);
        }
    }

    /** A line when {@link #HEARTBEAT_SECONDS} passed since the last one. */
    private synchronized void beat() {
        if (System.nanoTime() - lastLine >= HEARTBEAT_SECONDS * 1_000_000_000L && done < total) {
            line();
        }
    }

    private void line() {
        lines.println(label + ": " + done + "/" + total + " (" + (100 * done / Math.max(1, total)) + "%)"
                + (message.isEmpty() ? "" : " " + message) + eta() + ", " + elapsed() + " elapsed");
        lastLine = System.nanoTime();
    }

    private String elapsed() {
        return duration(Math.round((System.nanoTime() - started) / 1e9));
    }

    /** A bar on an interactive terminal, plain lines on standard error otherwise. */
    public static Progress start(String label, long total) {
        return start(label, total, 0);
    }

    /**
     * As {@link #start(String, long)} for work resumed with {@code initial} units already done
     * (a training run resumed from a checkpoint); the ETA counts only the work done from here.
     */
    public static Progress start(String label, long total, long initial) {
        if (System.console() != null) {
            ProgressBar bar = new ProgressBarBuilder().setTaskName(label).setInitialMax(total)
                    .setStyle(ProgressBarStyle.ASCII).startsFrom(initial, java.time.Duration.ZERO).build();
            return new Progress(label, total, initial, bar, null);
        }
        return new Progress(label, total, initial, null, System.err);
    }

    /** Plain lines on {@code out} (for tests and non-terminal consumers). */
    public static Progress lines(String label, long total, PrintStream out) {
        return new Progress(label, total, 0, null, out);
    }

    /**
     * A short status shown after the count (e.g. {@code loss 1.2e-3 val_psnr 31.4 dB}): beside the
     * bar on a terminal, on every plain line otherwise, with the estimated time left.
     */
    public synchronized void message(String text) {
        message = text == null ? "" : text;
        if (bar != null) {
            bar.setExtraMessage(message);
        }
    }

    /** One unit of work done. */
    public void step() {
        stepBy(1);
    }

    /** {@code n} units of work done. */
    public synchronized void stepBy(long n) {
        done += n;
        if (bar != null) {
            bar.stepBy(n);
        } else if (done >= nextLine && done < total) {
            line();
            while (nextLine <= done) {
                nextLine += Math.max(1, total / 10);
            }
        }
    }

    /** ", eta 1m05s" from the rate of the work done by this process, or "" before any. */
    private String eta() {
        long here = done - initial;
        if (here <= 0) {
            return "";
        }
        long s = Math.round((System.nanoTime() - started) / 1e9 / here * (total - done));
        return ", eta " + duration(s);
    }

    private static String duration(long s) {
        return s >= 3600 ? s / 3600 + "h" + String.format("%02dm", (s % 3600) / 60)
                : s >= 60 ? s / 60 + "m" + String.format("%02ds", s % 60) : s + "s";
    }

    public synchronized long done() {
        return done;
    }

    @Override
    public synchronized void close() {
        if (heartbeat != null) {
            heartbeat.cancel();
        }
        if (bar != null) {
            bar.close();
        } else {
            // closed early (the work failed): say where it stopped, not "done"
            lines.println(label + ": " + done + "/" + total + (done >= total ? " done" : " stopped")
                    + (message.isEmpty() ? "" : " " + message));
        }
    }
}
