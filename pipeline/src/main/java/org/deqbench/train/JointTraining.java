package org.deqbench.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deqbench.data.SimulatedData;
import org.deqbench.data.SimulatedSplit;
import org.deqbench.spec.MethodSpec;
import org.deqbench.spec.TaskSpec;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Training of one learned model on the union of several tasks ({@code train_on}), the multi-task
 * setting of the RERG paper (Willingham, Sjöström, Guillemot, VISAPP 2024): one network g_θ serves
 * every task, and each task keeps its own operator A_k in the data term, e.g. for DEQ-GD
 * x_{j+1} = x_j − η (A_k^T(A_k x_j − b) + λ g_θ(x_j)). The loss of a step is the method's own
 * loss on one batch of one task (operators and measurement shapes differ between tasks), batches
 * interleaved round-robin over the tasks ({@link JointExampleSet}); pnp and red train their
 * denoiser on the union of the tasks' training ground truths in the same way. With
 * {@code training.lambda_per_task} (deq-gd, rerg, elder) the network is shared and each task has its
 * own learned λ ({@link TrainableModel#separateLambdas}); a step updates its batch's task's λ, and
 * each task is evaluated with its own.
 *
 * <p>Each task's training split minus its last ⌊N/8⌋ examples trains (as in
 * {@link LearnedTraining}), the held-out examples of every task together validate, and the best
 * epoch's parameters are kept. Then, task by task, the method chooses what it chooses on a training
 * split ({@link LearnedMethod#tune}: red's λ, per task) and reconstructs that task's test split.
 *
 * <p><b>Outputs</b>: {@code model/network/} once, {@code training.json} and {@code training.csv}
 * once, and for every task {@code tasks/<task>/} with {@code reconstructions.npy},
 * {@code metrics.json}, {@code method.json} and {@code model.json} (the network's kind, λ and
 * settings for that task), the files a per-task train node holds.
 */
public final class JointTraining {
    /** Folder of one task's outputs inside the joint node: {@code tasks/<task>/}. */
    public static final String TASKS_DIR = "tasks";

    private JointTraining() {
    }

    static <M extends TrainableModel<ExampleSet.Batch>> void train(TrainingRun run, LearnedMethod<M> method) {
        MethodSpec m = run.method();
        List<TrainingRun.TaskData> tasks = run.tasks();
        DataType dtype = LearnedTraining.DTYPE;
        List<ExampleSet> trainParts = new ArrayList<>();
        List<ExampleSet> validationParts = new ArrayList<>();
        List<SimulatedSplit> trainSplits = new ArrayList<>();
        Map<String, Object> examples = new LinkedHashMap<>();
        for (TrainingRun.TaskData t : tasks) {
            SimulatedSplit split = SimulatedData.load(t.simulated(), "train");
            int n = split.size();
            int nVal = LearnedTraining.validationSize(n);
            trainSplits.add(split);
            trainParts.add(ExampleSet.of(split, 0, n - nVal, dtype));
            if (nVal > 0) {
                validationParts.add(ExampleSet.of(split, n - nVal, n, dtype));
            }
            examples.put(t.task().name(), Map.of("training_examples", n - nVal, "validation_examples", nVal));
        }
        JointExampleSet train = new JointExampleSet(trainParts);
        JointExampleSet validation = validationParts.isEmpty() ? null : new JointExampleSet(validationParts);
        long seed = RandomStreams.derive(run.experimentSeed(), run.id(), 0);
        M model = method.create(m, tasks.get(0).task(), seed);
        List<String> names = tasks.stream().map(t -> t.task().name()).toList();
        if (m.training().separateLambdas()) {
            model.separateLambdas(names);
        }
        Path checkpoints = run.checkpoints();
        TrainerSettings settings = TrainerSettings.of(m.training(), seed, checkpoints, run.hash());

        try (MemoryProbe memory = new MemoryProbe(5, true)) {
            LearnedTraining.Trained trained = LearnedTraining.runTrainer(run, method, model, settings, train, validation,
                    memory);
            TrainingResult result = trained.result();
            long peakBytes = memory.overall().rssBytes();
            Map<String, Object> common = new LinkedHashMap<>();
            common.put("train_on", names);
            common.put("joint_node", run.id());
            common.put("training_examples", train.size());
            common.put("validation_examples", validation == null ? 0 : validation.size());
            common.put("examples_per_task", examples);
            common.putAll(trained.info());
            if (model.taskLambdas() != null) {
                common.put("lambda_per_task", model.taskLambdas());
            }
            LearnedTraining.saveNetwork(run, method.network(model));
            for (int k = 0; k < tasks.size(); k++) {
                SimulatedSplit trainSplit = trainSplits.get(k);
                model.useTask(names.get(k));
                Map<String, Object> info = new LinkedHashMap<>(common);
                info.putAll(method.tune(model, ExampleSet.of(trainSplit, 0, trainSplit.size(), dtype), m));
                writeTask(run, method, model, tasks.get(k), info, result, peakBytes);
            }
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("kind", m.kind().key());
            summary.put("method", m.name());
            summary.put("train_on", names);
            run.output().writeJson("training.json", TrainingCurves.json(result, summary), "training_curves",
                    "per-step loss, learning rate, time, peak memory and solver diagnostics; per-epoch validation PSNR"
                            + " over the held-out examples of every task of train_on");
            TrainingCurves.writeCsv(result, run.output().resolve("training.csv"));
            run.output().addFile("training.csv", "training_curves", "csv", "training.json's step rows as CSV");
            run.logMetric("train_seconds", result.seconds());
            run.logMetric("train_peak_bytes", peakBytes);
        }
        new CheckpointStore(checkpoints).delete();
    }

    /** One task's test reconstructions, metrics, description and model settings under {@code tasks/<task>/}. */
    private static <M extends TrainableModel<ExampleSet.Batch>> void writeTask(TrainingRun run, LearnedMethod<M> method,
            M model, TrainingRun.TaskData t, Map<String, Object> info, TrainingResult result, long peakBytes) {
        MethodSpec m = run.method();
        TaskSpec task = t.task();
        String dir = TASKS_DIR + "/" + task.name() + "/";
        SimulatedSplit testSplit = SimulatedData.load(t.simulated(), "test");
        LearnedTraining.TestScores scores = LearnedTraining.score(method, model, testSplit, m);
        LearnedTraining.Evaluation eval = scores.evaluation();
        List<Map<String, Object>> perImage = scores.perImage();
        Map<String, Object> mean = scores.mean();
        info.putAll(eval.info());
        info.put("test_psnr", mean.get("psnr"));
        run.output().writeArray(dir + "reconstructions.npy", eval.reconstructions().castTo(DataType.FLOAT),
                "reconstruction", "test-split reconstructions of task " + task.name()
                        + ", same layout as simulate's test/ground_truth.npy");
        run.output().writeJson(dir + "metrics.json", Map.of("per_image", perImage, "mean", mean), "metrics",
                "per-image PSNR, SSIM, NMSE on the test split of task " + task.name());
        MethodDescription description = new MethodDescription(m.kind().key(), result.seconds(), peakBytes, info);
        run.output().writeJson(dir + "method.json", description, "method",
                "task " + task.name() + ": learned λ, joint training time (s) and peak memory (bytes), test-set solver"
                        + " behaviour");
        run.output().writeJson(dir + "model.json",
                LearnedTraining.modelDescription(m, method.lambda(model), method.settings(model, m)), "model",
                "how to rebuild the trained method on task " + task.name()
                        + " (kind, λ, settings; the network is ../../model/network/)");
        double psnr = ((Number) mean.get("psnr")).doubleValue();
        double ssim = ((Number) mean.get("ssim")).doubleValue();
        run.logMetric("test_psnr/" + task.name(), psnr);
        run.logMetric("test_ssim/" + task.name(), ssim);
        run.logMetric("test_nmse/" + task.name(), ((Number) mean.get("nmse")).doubleValue());
        System.out.printf("  %s on %s: test PSNR %.2f dB, SSIM %.4f, %d steps in %.0f s (trained on %s)%n", m.name(),
                task.name(), psnr, ssim, result.steps(), result.seconds(), info.get("train_on"));
    }
}
