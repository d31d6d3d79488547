package org.deqbench.plan;

import java.io.PrintStream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The one progress reporter of the pipeline, for long loops (simulating examples, epochs, …).
 * On a terminal it draws a progress bar (me.tongfei progressbar); otherwise (logs, pods, tests) it
 * prints a plain line at start, at every tenth of the work and at the end, on standard error so
 * that machine-readable standard output stays clean:
 * <pre>
 *   try (Progress p = Progress.start("simulate/mri-4x", n)) {
 *       for (...) { ...; p.step(); }
 *   }
 * </pre>
 */
public final class Progress implements AutoCloseable {
    private final String label;
    private final long total;
    private final ProgressBar bar;
    private final PrintStream lines;
    private long done;
    private long nextLine;

    private Progress(String label, long total, ProgressBar bar, PrintStream lines) {
        this.label = label;
        this.total = total;
        this.bar = bar;
        this.lines = lines;
        this.nextLine = Math.max(1, total / 10);
        if (lines != null) {
            lines.println(label + ": 0/" + total);
        }
    }

    /** A bar on an interactive terminal, plain lines on standard error otherwise. */
    public static Progress start(String label, long total) {
        if (System.console() != null) {
            ProgressBar bar = new ProgressBarBuilder().setTaskName(label).setInitialMax(total)
                    .setStyle(ProgressBarStyle.ASCII).build();
            return new Progress(label, total, bar, null);
        }
        return new Progress(label, total, null, System.err);
    }

    /** Plain lines on {@code out} (for tests and non-terminal consumers). */
    public static Progress lines(String label, long total, PrintStream out) {
        return new Progress(label, total, null, out);
    }

    /** One unit of work done. */
    public void step() {
        stepBy(1);
    }

    /** {@code n} units of work done. */
    public void stepBy(long n) {
        done += n;
        if (bar != null) {
            bar.stepBy(n);
        } else if (done >= nextLine && done < total) {
            lines.println(label + ": " + done + "/" + total + " (" + (100 * done / Math.max(1, total)) + "%)");
            while (nextLine <= done) {
                nextLine += Math.max(1, total / 10);
            }
        }
    }

    public long done() {
        return done;
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        } else {
            lines.println(label + ": " + done + "/" + total + " done");
        }
    }
}
