package org.deqbench.train;

import org.deqbench.plan.Progress;

/**
 * Shows training progress through the pipeline's one progress reporter ({@link Progress}): a bar
 * on a terminal, plain lines on standard error otherwise, each with the last loss, the last
 * validation PSNR and the estimated time left.
 */
public final class ProgressListener implements TrainingListener {
    private final String name;
    private Progress progress;
    private double lastLoss = Double.NaN;
    private double lastPsnr = Double.NaN;
    private String resumed;

    /** @param name what is being trained (e.g. the node id) */
    public ProgressListener(String name) {
        this.name = name;
    }

    @Override
    public void onResume(long step, java.nio.file.Path checkpoint, EpochRecord lastEpoch) {
        resumed = "resuming from checkpoint " + checkpoint + " at step " + step;
        if (lastEpoch != null) {
            lastPsnr = lastEpoch.valPsnr();
        }
    }

    @Override
    public void onTrainingBegin(long firstStep, long totalSteps) {
        if (resumed != null) {
            System.err.println(name + ": " + resumed + "/" + totalSteps);
        }
        progress = Progress.start(name, totalSteps, firstStep);
        if (!Double.isNaN(lastPsnr)) {
            progress.message(String.format("val_psnr %.2f dB", lastPsnr));
        }
    }

    @Override
    public void onStepEnd(StepRecord r) {
        lastLoss = r.loss();
        progress.message(message());
        progress.step();
    }

    @Override
    public void onEpochEnd(EpochRecord r) {
        lastPsnr = r.valPsnr();
        progress.message(message());
    }

    @Override
    public void onTrainingEnd() {
        if (progress != null) {
            progress.close();
            progress = null;
        }
    }

    private String message() {
        return String.format("loss %.4g%s", lastLoss, Double.isNaN(lastPsnr) ? "" : String.format(" val_psnr %.2f dB", lastPsnr));
    }
}
