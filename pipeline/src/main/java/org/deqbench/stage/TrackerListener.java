package org.deqbench.stage;

import org.deqbench.train.EpochRecord;
import org.deqbench.train.StepRecord;
import org.deqbench.train.TrainingListener;
import java.util.Map;
import org.deqbench.track.Tracker;

/**
 * Sends the curves to the node's {@link Tracker}: per step the loss, learning rate, step time,
 * peak memory and the method's diagnostics (solver iterations, Lipschitz estimates, …); per epoch
 * the validation PSNR.
 *
 * <p>One step axis per metric family: per-step metrics are logged at the global optimiser step,
 * per-epoch metrics at the epoch index, and the metric {@code epoch} is logged at every global step
 * beside the step metrics, so that the MLflow UI can plot the step metrics against either axis.
 */
public final class TrackerListener implements TrainingListener {
    private final Tracker tracker;

    public TrackerListener(Tracker tracker) {
        this.tracker = tracker;
    }

    @Override
    public void onStepEnd(StepRecord r) {
        tracker.logMetric("epoch", r.epoch(), r.step());
        tracker.logMetric("train_loss", r.loss(), r.step());
        tracker.logMetric("learning_rate", r.learningRate(), r.step());
        tracker.logMetric("step_seconds", r.seconds(), r.step());
        if (r.peakBytes() > 0) {
            tracker.logMetric("step_peak_bytes", r.peakBytes(), r.step());
            tracker.logMetric("step_peak_heap_bytes", r.peakHeapBytes(), r.step());
            tracker.logMetric("step_peak_offheap_bytes", r.peakOffHeapBytes(), r.step());
        }
        for (Map.Entry<String, Double> e : r.diagnostics().entrySet()) {
            tracker.logMetric(e.getKey(), e.getValue(), r.step());
        }
    }

    @Override
    public void onEpochEnd(EpochRecord r) {
        if (!Double.isNaN(r.valPsnr())) {
            tracker.logMetric("val_psnr", r.valPsnr(), r.epoch());
        }
        for (Map.Entry<String, Double> e : r.diagnostics().entrySet()) {
            tracker.logMetric(e.getKey(), e.getValue(), r.epoch());
        }
    }
}
