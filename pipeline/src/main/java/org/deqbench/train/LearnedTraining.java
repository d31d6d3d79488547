package org.deqbench.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.EnumSet;
import org.deqbench.spec.Problem;
import org.deqbench.physics.ForwardModels;
import java.util.stream.Stream;
import org.deqbench.data.SimulatedData;
import org.deqbench.data.SimulatedSplit;
import org.deqbench.metrics.ImageScores;
import org.deqbench.nn.ConvNet;
import org.deqbench.recon.Reconstructor;
import org.deqbench.spec.MethodSpec;
import org.deqbench.spec.TaskSpec;
import org.deqbench.store.NodeFileException;
import org.deqbench.store.NodeFiles;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The shared training engine of the learned methods ({@link LearnedMethod}: MoDL, and DEQ, MOL-SN,
 * MOL-LR with MOL's iteration), on every problem: networks take their shape from the task
 * ({@link #network}): 2D convolutions on images, 3D convolutions over (frames or slices, H, W) for
 * 2D+time and 3D MRI — frames are treated as a third spatial axis, so the network sees temporal
 * (or through-slice) neighbours in the same 3×3×3 stencil.
 *
 * <p><b>Training</b> ({@link #train}): the training split minus its last ⌊N/8⌋ examples (at least
 * one when N ≥ 4) trains, those held-out examples validate after every epoch and the best epoch's
 * parameters are kept; the test split is only reconstructed at the end. Networks are float32.
 * Checkpoints live in {@code <runDir>/checkpoints/<node id>/} so that a killed node resumes, and are
 * deleted once the node's outputs are written. Seeds derive from the experiment seed and the node.
 *
 * <p><b>Initialisation.</b> The CNN is He-initialised and, for the unconstrained networks, its last
 * convolution scaled by {@value #OUTPUT_SCALE}: MoDL then starts near D_w = I (CG-SENSE-like
 * iterations) and MOL near H ≡ 0, whose fixed point is CG-SENSE with μ = 1/λ, and the first
 * forward solves converge.
 *
 * <p><b>Outputs</b>: {@code model/} (the network in SameDiff format and {@code model.json}),
 * {@code reconstructions.npy}, {@code metrics.json}, {@code method.json} (learned λ, training time
 * and peak memory, and what the method reports on the test split), {@code training.json},
 * {@code training.csv}.
 */
public final class LearnedTraining {
    /** Factor on the last convolution of unconstrained networks at initialisation. */
    static final double OUTPUT_SCALE = 0.1;
    /** The problems learned networks are shaped for: all of them. */
    static final Set<Problem> PROBLEMS = EnumSet.allOf(Problem.class);
    static final String MODEL_DIR = "model";
    static final String NETWORK_DIR = "model/network";
    static final String MODEL_JSON = "model/model.json";
    static final DataType DTYPE = DataType.FLOAT;
    private static final int EVAL_BATCH = 4;

    private LearnedTraining() {
    }

    /** Held-out validation examples of a training split of n: ⌊n/8⌋, at least 1 when n ≥ 4. */
    static int validationSize(int n) {
        return n < 4 ? 0 : Math.max(1, n / 8);
    }

    /**
     * The network of a learned method on {@code task}'s images: as many channels in and out as the
     * images have (2 for complex MRI images, 1 for the real restoration problems), He-initialised
     * from {@code seed}, its last convolution scaled by {@value #OUTPUT_SCALE} (unconstrained) or
     * spectrally normalised on the task's image size ({@code spectral}, MOL-SN).
     */
    static ConvNet network(MethodSpec m, TaskSpec task, long seed, boolean spectral) {
        // before any network graph runs: sessions that free released arrays instead of caching a
        // quarter of physical memory, and a subgraph search linear in the graph size
        org.deqbench.recon.LinearSubgraphSession.install();
        int c = ForwardModels.channels(task);
        long[] shape = spatialShape(task);
        if (spectral) {
            return ConvNet.createSpectral(m.network(), c, c, shape, seed, DTYPE);
        }
        ConvNet net = ConvNet.create(m.network(), shape.length, c, c, seed, DTYPE);
        Map<String, INDArray> p = net.parameters();
        String last = "w" + (net.architecture().layers() - 1);
        p.get(last).muli(OUTPUT_SCALE);
        net.setParameters(p);
        return net;
    }

    /** The shape of one image of {@code task} without its channel axis ({@code [H, W]} or {@code [T, H, W]}). */
    static long[] spatialShape(TaskSpec task) {
        long[] s = ForwardModels.imageShape(task);
        return java.util.Arrays.copyOfRange(s, 1, s.length);
    }

    /** Trains the node's learned method and writes model, curves, reconstructions and metrics. */
    static <M extends TrainableModel<ExampleSet.Batch>> void train(TrainingRun run, LearnedMethod<M> method) {
        MethodSpec m = run.method();
        TaskSpec task = run.task();
        SimulatedSplit trainSplit = SimulatedData.load(run.simulated(), "train");
        SimulatedSplit testSplit = SimulatedData.load(run.simulated(), "test");
        int n = trainSplit.size();
        int nVal = validationSize(n);
        ExampleSet train = ExampleSet.of(trainSplit, 0, n - nVal, DTYPE);
        ExampleSet validation = nVal == 0 ? null : ExampleSet.of(trainSplit, n - nVal, n, DTYPE);
        long seed = RandomStreams.derive(run.experimentSeed(), run.id(), 0);
        M model = method.create(m, task, seed);
        Path checkpoints = run.checkpoints();
        TrainerSettings settings = TrainerSettings.of(m.training(), seed, checkpoints, run.hash());

        try (MemoryProbe memory = new MemoryProbe(5, true)) {
            Trained trained = runTrainer(run, method, model, settings, train, validation, memory);
            TrainingResult result = trained.result();
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("training_examples", train.size());
            info.put("validation_examples", nVal);
            info.putAll(trained.info());
            info.putAll(method.tune(model, ExampleSet.of(trainSplit, 0, n, DTYPE), m));
            writeOutputs(run, method, model, testSplit, info, result, memory.overall().rssBytes());
        }
        new CheckpointStore(checkpoints).delete();
    }

    /**
     * A finished (or, where the method reports divergence as a result, diverged) training run and what
     * {@code method.json} says about it: peak memory, steps, best epoch, whether and why it diverged.
     */
    record Trained(TrainingResult result, Map<String, Object> info) {
    }

    /**
     * Runs the shared trainer with progress lines and the run's curves; a divergence ends the node
     * unless the method counts it as a result, in which case the partial result is kept.
     */
    static <M extends TrainableModel<ExampleSet.Batch>> Trained runTrainer(TrainingRun run, LearnedMethod<M> method,
            M model, TrainerSettings settings, TrainingData<ExampleSet.Batch> train,
            TrainingData<ExampleSet.Batch> validation, MemoryProbe memory) {
        Trainer<ExampleSet.Batch> trainer = new Trainer<ExampleSet.Batch>(settings).memory(memory)
                .listener(new ProgressListener(run.id()))
                .listener(run.curves());
        TrainingResult result;
        String divergence = null;
        try {
            result = trainer.run(model, train, validation);
        } catch (TrainingDivergedException e) {
            if (!method.divergenceIsResult()) {
                throw e;
            }
            divergence = e.getMessage();
            result = e.partial();
            System.err.println(run.id() + ": " + divergence);
        }
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("train_peak_heap_bytes", memory.overall().heapBytes());
        info.put("train_peak_offheap_bytes", memory.overall().offHeapBytes());
        info.put("train_baseline_bytes", memory.baselineRssBytes());
        info.put("steps", result.steps());
        info.put("best_epoch", result.bestEpoch());
        info.put("diverged", divergence != null);
        if (divergence != null) {
            info.put("divergence", divergence);
        }
        return new Trained(result, info);
    }

    /** The test split's reconstructions with per-image and mean PSNR, SSIM and NMSE. */
    record TestScores(Evaluation evaluation, List<Map<String, Object>> perImage, Map<String, Object> mean) {
    }

    /** Reconstructs a test split with the trained model and scores it against its ground truth. */
    static <M extends TrainableModel<ExampleSet.Batch>> TestScores score(LearnedMethod<M> method, M model,
            SimulatedSplit testSplit, MethodSpec m) {
        ExampleSet test = ExampleSet.of(testSplit, 0, testSplit.size(), DTYPE);
        Evaluation eval = method.evaluate(model, test, m);
        List<Map<String, Object>> perImage = LinearBaselines.rows(ImageScores.perImage(test.all().groundTruth(),
                eval.reconstructions()));
        Map<String, Object> mean = new LinkedHashMap<>();
        for (String k : List.of("psnr", "ssim", "nmse")) {
            mean.put(k, LinearBaselines.mean(perImage, k));
        }
        return new TestScores(eval, perImage, mean);
    }

    private static <M extends TrainableModel<ExampleSet.Batch>> void writeOutputs(TrainingRun run,
            LearnedMethod<M> method, M model, SimulatedSplit testSplit, Map<String, Object> info, TrainingResult result,
            long peakBytes) {
        MethodSpec m = run.method();
        TestScores scores = score(method, model, testSplit, m);
        Evaluation eval = scores.evaluation();
        List<Map<String, Object>> perImage = scores.perImage();
        Map<String, Object> mean = scores.mean();
        info.putAll(eval.info());
        info.put("test_psnr", mean.get("psnr"));

        run.output().writeArray("reconstructions.npy", eval.reconstructions().castTo(DataType.FLOAT), "reconstruction",
                "test-split reconstructions, same layout as simulate's test/ground_truth.npy");
        run.output().writeJson("metrics.json", Map.of("per_image", perImage, "mean", mean), "metrics",
                "per-image PSNR, SSIM, NMSE on the test split");
        saveModel(run, m, method.network(model), method.lambda(model), method.settings(model, m));
        MethodDescription description = new MethodDescription(m.kind().key(), result.seconds(), peakBytes, info);
        run.output().writeJson("method.json", description, "method",
                "learned λ, training time (s) and peak memory (bytes), test-set solver behaviour, Lipschitz numbers");
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("kind", m.kind().key());
        summary.put("method", m.name());
        run.output().writeJson("training.json", TrainingCurves.json(result, summary), "training_curves",
                "per-step loss, learning rate, time, peak memory and solver diagnostics; per-epoch validation PSNR");
        TrainingCurves.writeCsv(result, run.output().resolve("training.csv"));
        run.output().addFile("training.csv", "training_curves", "csv", "training.json's step rows as CSV");

        run.logMetric("test_psnr", ((Number) mean.get("psnr")).doubleValue());
        run.logMetric("test_ssim", ((Number) mean.get("ssim")).doubleValue());
        run.logMetric("test_nmse", ((Number) mean.get("nmse")).doubleValue());
        run.logMetric("train_seconds", result.seconds());
        run.logMetric("train_peak_bytes", peakBytes);
        if (description.forwardIterations() != null) {
            run.logMetric("forward_iterations", description.forwardIterations());
        }
        System.out.printf("  %s: test PSNR %.2f dB, SSIM %.4f, %d steps in %.0f s%n", m.name(),
                ((Number) mean.get("psnr")).doubleValue(), ((Number) mean.get("ssim")).doubleValue(), result.steps(),
                result.seconds());
    }

    /**
     * Test-split reconstructions and what the method reports about them: {@code info} becomes the
     * details of {@code method.json} ({@link MethodDescription}), so it must not hold the keys the
     * trainer writes itself ({@code kind}, {@code train_seconds}, {@code train_peak_bytes}).
     */
    record Evaluation(INDArray reconstructions, Map<String, Object> info) {
    }

    static List<int[]> batches(int n) {
        List<int[]> out = new ArrayList<>();
        for (int from = 0; from < n; from += EVAL_BATCH) {
            int[] idx = new int[Math.min(EVAL_BATCH, n - from)];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = from + i;
            }
            out.add(idx);
        }
        return out;
    }

    private static void saveModel(TrainingRun run, MethodSpec m, ConvNet net, double lambda, Map<String, Object> settings) {
        saveNetwork(run, net);
        run.output().writeJson(MODEL_JSON, modelDescription(m, lambda, settings), "model",
                "how to rebuild the trained method (kind, λ, settings)");
    }

    /** {@code model/model.json}: kind, λ, where the network lies and the method's settings. */
    static Map<String, Object> modelDescription(MethodSpec m, double lambda, Map<String, Object> settings) {
        Map<String, Object> desc = new LinkedHashMap<>();
        desc.put("kind", m.kind().key());
        desc.put("lambda", lambda);
        desc.put("network", "network/ (ConvNet.save: network.json, network.sdz)");
        desc.putAll(settings);
        return desc;
    }

    /** Saves the network as {@code model/network/} and lists its files. */
    static void saveNetwork(TrainingRun run, ConvNet net) {
        Path dir = run.output().resolve(NETWORK_DIR + "/x").getParent();
        net.save(dir);
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                String rel = run.output().dir().relativize(p).toString().replace('\\', '/');
                run.output().addFile(rel, "model", rel.endsWith(".json") ? "json" : rel.endsWith(".npy") ? "npy" : "samediff",
                        "trained network (nn.ConvNet format)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the saved model in " + dir, e);
        }
    }

    /** Loads a trained learned method from its train node. */
    static Reconstructor.Differentiable load(NodeFiles trained, MethodSpec method, LearnedMethod<?> learned) {
        JsonNode desc = trained.json(MODEL_JSON);
        String kind = desc.path("kind").asText();
        if (!kind.equals(method.kind().key())) {
            throw new NodeFileException(trained.dir().resolve(MODEL_JSON), "holds a '" + kind + "' model but the spec's method '"
                    + method.name() + "' is '" + method.kind().key() + "'", null);
        }
        if (!desc.hasNonNull("lambda")) {
            throw new NodeFileException(trained.dir().resolve(MODEL_JSON), "has no 'lambda'", null);
        }
        org.deqbench.recon.LinearSubgraphSession.install();
        return learned.restore(ConvNet.load(trained.dir().resolve(NETWORK_DIR)), desc, method);
    }
}
