package org.deqbench.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one training loop of every learned method: minibatch Adam with a step-size schedule over
 * shuffled training examples, validation after each epoch with the best parameters kept,
 * resumable checkpoints, and a divergence guard.
 *
 * <p><b>Reproducibility.</b> The order of epoch e is a permutation drawn from
 * {@code RandomStreams.derive(seed, "shuffle", e)}, and step t passes t to the model, which derives
 * its own noise from it; nothing else is random. A run resumed from a checkpoint at step s
 * therefore repeats exactly the steps s, s+1, … of an uninterrupted run.
 *
 * <p><b>Checkpoints</b> are written every {@code checkpointEvery} steps and at each epoch end,
 * atomically, into a folder outside the node's temporary output. A NaN or infinite loss, gradient
 * or parameter stops the run with {@link TrainingDivergedException} before anything is written,
 * so the last checkpoint is the last good state.
 */
public final class Trainer<B> {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final TrainerSettings settings;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private MemoryProbe memory;

    public Trainer(TrainerSettings settings) {
        this.settings = settings;
    }

    public Trainer<B> listener(TrainingListener l) {
        listeners.add(l);
        return this;
    }

    /** Measures per-step peak memory with this probe (the caller closes it). */
    public Trainer<B> memory(MemoryProbe probe) {
        this.memory = probe;
        return this;
    }

    /**
     * Trains {@code model} on {@code train}, validating on {@code validation} (may be null or
     * empty: then the last parameters are kept). On return the model holds the kept parameters.
     */
    public TrainingResult run(TrainableModel<B> model, TrainingData<B> train, TrainingData<B> validation) {
        int n = train.size();
        if (n < 1) {
            throw new IllegalArgumentException("no training examples");
        }
        int perEpoch = train.epochBatches(identity(n), settings.batchSize()).size();
        long total = settings.totalStepsOf(perEpoch);
        LearningRateSchedule schedule = new LearningRateSchedule(settings.schedule(), settings.learningRate(), total);
        Map<String, INDArray> params = model.parameters();
        Adam adam = new Adam();
        List<StepRecord> steps = new ArrayList<>();
        List<EpochRecord> epochs = new ArrayList<>();
        Map<String, INDArray> best = new LinkedHashMap<>();
        double bestScore = Double.NEGATIVE_INFINITY;
        int bestEpoch = -1;
        long start = 0;
        double priorSeconds = 0;

        CheckpointStore store = settings.checkpointDir() == null ? null : new CheckpointStore(settings.checkpointDir());
        Path lastCheckpoint = null;
        if (store != null) {
            Optional<Checkpoint> found = store.load();
            if (found.isPresent() && !found.get().fingerprint().equals(settings.fingerprint())) {
                LOG.info("ignoring checkpoint {}: it belongs to another configuration", store.file());
                store.delete();
                found = Optional.empty();
            }
            if (found.isPresent()) {
                Checkpoint c = found.get();
                for (Map.Entry<String, INDArray> e : params.entrySet()) {
                    INDArray saved = c.parameters().get(e.getKey());
                    if (saved == null || !Arrays.equals(saved.shape(), e.getValue().shape())) {
                        throw new IllegalStateException("checkpoint " + store.file() + " has no parameter '"
                                + e.getKey() + "' of shape " + Arrays.toString(e.getValue().shape())
                                + "; delete it to restart training");
                    }
                    e.getValue().assign(saved);
                }
                adam.restore(c.adamSteps(), c.adamFirst(), c.adamSecond());
                best.putAll(c.best());
                bestScore = c.bestScore();
                bestEpoch = c.bestEpoch();
                steps.addAll(c.steps());
                epochs.addAll(c.epochs());
                start = c.step();
                priorSeconds = c.seconds();
                lastCheckpoint = store.file();
                model.parametersChanged();
                LOG.info("resuming training from {} at step {}/{}", store.file(), start, total);
                EpochRecord lastEpoch = epochs.isEmpty() ? null : epochs.get(epochs.size() - 1);
                for (TrainingListener l : listeners) {
                    l.onResume(start, store.file(), lastEpoch);
                }
            }
        }

        for (TrainingListener l : listeners) {
            l.onTrainingBegin(start, total);
        }
        long began = System.nanoTime();
        List<int[]> order = null;
        int orderEpoch = -1;
        for (long step = start; step < total; step++) {
            int epoch = (int) (step / perEpoch);
            int pos = (int) (step % perEpoch);
            if (epoch != orderEpoch) {
                order = train.epochBatches(RandomStreams.permutation(n,
                        RandomStreams.derive(settings.seed(), "shuffle", epoch)), settings.batchSize());
                orderEpoch = epoch;
            }
            int[] idx = order.get(pos);
            B batch = train.batch(idx);
            for (TrainingListener l : listeners) {
                l.onStepBegin(step);
            }
            if (memory != null) {
                memory.stepBegin();
            }
            long t0 = System.nanoTime();
            TrainableModel.StepResult r = model.lossAndGradients(batch, step);
            String bad = nonFinite(r.loss(), r.gradients(), "gradient");
            if (bad == null) {
                adam.update(params, r.gradients(), schedule.rate(step), model.learningRateScales());
                model.parametersChanged();
                bad = nonFinite(0, params, "parameter");
            }
            if (bad != null) {
                if (memory != null) {
                    memory.stepEnd();
                }
                restoreLastGood(model, best, store);
                double elapsed = priorSeconds + (System.nanoTime() - began) / 1e9;
                throw new TrainingDivergedException(diverged(step, epoch, bad, r.loss(), lastCheckpoint),
                        new TrainingResult(step, elapsed, start, bestEpoch, bestScore, List.copyOf(steps),
                                List.copyOf(epochs)));
            }
            double lr = schedule.rate(step);
            double seconds = (System.nanoTime() - t0) / 1e9;
            MemoryProbe.Peaks peaks = memory == null ? MemoryProbe.Peaks.ZERO : memory.stepEnd();
            StepRecord rec = new StepRecord(step, epoch, r.loss(), lr, seconds, peaks.rssBytes(),
                    peaks.heapBytes(), peaks.offHeapBytes(), r.diagnostics());
            steps.add(rec);
            for (TrainingListener l : listeners) {
                l.onStepEnd(rec);
            }
            boolean epochEnd = pos == perEpoch - 1 || step == total - 1;
            if (epochEnd) {
                double score = validate(model, validation);
                boolean improved = !Double.isNaN(score) && score > bestScore;
                if (improved) {
                    bestScore = score;
                    bestEpoch = epoch;
                    best.clear();
                    params.forEach((k, v) -> best.put(k, v.dup()));
                }
                EpochRecord er = new EpochRecord(epoch, step + 1, score, improved, model.epochDiagnostics());
                epochs.add(er);
                for (TrainingListener l : listeners) {
                    l.onEpochEnd(er);
                }
            }
            boolean due = settings.checkpointEvery() > 0 && (step + 1) % settings.checkpointEvery() == 0;
            if (store != null && (due || epochEnd)) {
                double elapsed = priorSeconds + (System.nanoTime() - began) / 1e9;
                lastCheckpoint = store.save(new Checkpoint(settings.fingerprint(), step + 1, elapsed, params,
                        adam.steps(), adam.firstMoments(), adam.secondMoments(), best, bestScore, bestEpoch,
                        steps, epochs));
                for (TrainingListener l : listeners) {
                    l.onCheckpoint(step + 1, lastCheckpoint);
                }
            }
        }
        if (!best.isEmpty()) {
            best.forEach((k, v) -> params.get(k).assign(v));
            model.parametersChanged();
        }
        for (TrainingListener l : listeners) {
            l.onTrainingEnd();
        }
        double seconds = priorSeconds + (System.nanoTime() - began) / 1e9;
        return new TrainingResult(total, seconds, start, bestEpoch, bestScore, List.copyOf(steps), List.copyOf(epochs));
    }

    private double validate(TrainableModel<B> model, TrainingData<B> validation) {
        if (validation == null || validation.size() == 0) {
            return Double.NaN;
        }
        double sum = 0;
        int count = 0;
        for (int[] idx : validation.epochBatches(identity(validation.size()), settings.batchSize())) {
            for (double s : model.validationScores(validation.batch(idx))) {
                sum += s;
                count++;
            }
        }
        return sum / count;
    }

    private static int[] identity(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return idx;
    }

    /** Names the first non-finite value, or null if all are finite. */
    private static String nonFinite(double loss, Map<String, INDArray> arrays, String what) {
        if (!Double.isFinite(loss)) {
            return "the loss is " + loss;
        }
        for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
            INDArray a = e.getValue();
            if (a.isNaN().any() || a.isInfinite().any()) {
                return "the " + what + " of '" + e.getKey() + "' has NaN or infinite entries";
            }
        }
        return null;
    }

    /** After a divergence: the best validated parameters, else the last checkpoint's, else as they are. */
    private static <B> void restoreLastGood(TrainableModel<B> model, Map<String, INDArray> best, CheckpointStore store) {
        Map<String, INDArray> good = best.isEmpty() && store != null
                ? store.load().map(Checkpoint::parameters).orElse(Map.of()) : best;
        if (!good.isEmpty()) {
            good.forEach((k, v) -> model.parameters().get(k).assign(v));
            model.parametersChanged();
        }
    }

    private static String diverged(long step, int epoch, String what, double loss, Path last) {
        return "training diverged at step " + step + " (epoch " + epoch + "): "
                + what + " (loss " + loss + "). "
                + (last == null ? "No checkpoint was written yet. "
                : "The last good checkpoint is kept at " + last + " and a rerun resumes from it. ")
                + "Lower training.learning_rate, or for equilibrium methods raise deq.max_iterations or "
                + "use a Lipschitz-controlled kind (mol-sn, mol-lr).";
    }
}
