package org.deqbench.train;

import org.deqbench.progress.Progress;

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
    private java.nio.file.Path resumedFrom;

    /** @param name what is being trained (e.g. the node id) */
    public ProgressListener(String name) {
        this.name = name;
    }

    @Override
    public void onResume(long step, java.nio.file.Path checkpoint, EpochRecord lastEpoch) {
        resumedFrom = checkpoint;
        if (lastEpoch != null) {
            lastPsnr = lastEpoch.valPsnr();
        }
    }

    @Override
    public void onTrainingBegin(long firstStep, long totalSteps) {
        if (resumedFrom != null) {
            System.err.println(name + ": resuming from checkpoint " + resumedFrom + " at step " + firstStep + "/" + totalSteps);
        }
        progress = Progress.start(name, totalSteps, firstStep);
        progress.message(message());
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

    /** The last loss and validation PSNR, each left out until there is one. */
    private String message() {
        String loss = Double.isNaN(lastLoss) ? "" : String.format("loss %.4g", lastLoss);
        String psnr = Double.isNaN(lastPsnr) ? "" : String.format("val_psnr %.2f dB", lastPsnr);
        return (loss + " " + psnr).strip();
    }
}
