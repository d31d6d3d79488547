package org.deqbench.train;

import java.time.Duration;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows training progress: on a terminal a progress bar with step, loss, validation PSNR and ETA;
 * otherwise (logs of a pod, a child process, a test) a plain line at most every
 * {@code intervalSeconds} and at every epoch end.
 */
public final class ProgressListener implements TrainingListener {
    private static final Logger LOG = LoggerFactory.getLogger(ProgressListener.class);

    private final String name;
    private final boolean terminal;
    private final double intervalSeconds;
    private ProgressBar bar;
    private long first;
    private long total;
    private long began;
    private long lastLine;
    private double lastLoss = Double.NaN;
    private double lastPsnr = Double.NaN;

    /**
     * @param name            what is being trained (shown on each line)
     * @param terminal        draw a bar (true when a console is attached)
     * @param intervalSeconds minimum time between plain lines
     */
    public ProgressListener(String name, boolean terminal, double intervalSeconds) {
        this.name = name;
        this.terminal = terminal;
        this.intervalSeconds = intervalSeconds;
    }

    /** A bar when the process has a console, plain lines every 10 s otherwise. */
    public static ProgressListener auto(String name) {
        return new ProgressListener(name, System.console() != null, 10);
    }

    @Override
    public void onTrainingBegin(long firstStep, long totalSteps) {
        first = firstStep;
        total = totalSteps;
        began = System.nanoTime();
        lastLine = began;
        if (terminal) {
            bar = new ProgressBarBuilder().setTaskName(name).setInitialMax(totalSteps)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500)
                    .startsFrom(firstStep, Duration.ZERO).build();
        } else {
            LOG.info("{}: training steps {}..{}", name, firstStep, totalSteps);
        }
    }

    @Override
    public void onStepEnd(StepRecord r) {
        lastLoss = r.loss();
        if (bar != null) {
            bar.stepTo(r.step() + 1);
            bar.setExtraMessage(message());
            return;
        }
        long now = System.nanoTime();
        if ((now - lastLine) / 1e9 >= intervalSeconds) {
            lastLine = now;
            LOG.info("{}: step {}/{} {} eta {}", name, r.step() + 1, total, message(), eta(r.step() + 1, now));
        }
    }

    @Override
    public void onEpochEnd(EpochRecord r) {
        lastPsnr = r.valPsnr();
        if (bar != null) {
            bar.setExtraMessage(message());
        } else {
            LOG.info("{}: epoch {} done at step {}/{} {}{}", name, r.epoch() + 1, r.step(), total, message(),
                    r.best() ? " (best so far)" : "");
        }
    }

    @Override
    public void onTrainingEnd() {
        if (bar != null) {
            bar.close();
            bar = null;
        } else {
            LOG.info("{}: training finished after {}", name, format((System.nanoTime() - began) / 1e9));
        }
    }

    private String message() {
        return String.format("loss %.4g%s", lastLoss, Double.isNaN(lastPsnr) ? "" : String.format(" val_psnr %.2f dB", lastPsnr));
    }

    private String eta(long done, long now) {
        long doneHere = done - first;
        if (doneHere <= 0) {
            return "?";
        }
        double perStep = (now - began) / 1e9 / doneHere;
        return format(perStep * (total - done));
    }

    private static String format(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, (s % 3600) / 60)
                : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
