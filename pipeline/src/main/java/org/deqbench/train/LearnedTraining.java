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
import java.util.stream.Stream;
import org.deqbench.data.SimulatedData;
import org.deqbench.data.SimulatedSplit;
import org.deqbench.metrics.ImageScores;
import org.deqbench.nn.ConvNet;
import org.deqbench.plan.NodeContext;
import org.deqbench.plan.NodeInput;
import org.deqbench.plan.NodeOutputError;
import org.deqbench.recon.DeqReconstructor;
import org.deqbench.recon.Modl;
import org.deqbench.recon.Reconstructor;
import org.deqbench.spec.DeqSpec;
import org.deqbench.spec.MethodKind;
import org.deqbench.spec.MethodSpec;
import org.deqbench.spec.TaskSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training and loading of the learned methods MoDL ({@code modl}) and the deep-equilibrium methods
 * with MOL's iteration ({@code deq}, {@code mol-sn}, {@code mol-lr}), all on 2D multi-coil MRI.
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
 * forward solves converge. MOL-SN's layers are normalised anyway. MoDL's λ starts at the method's
 * first {@code lambdas} entry (0.05, the MoDL code's value, when none); the DEQ methods' at
 * {@code deq.lambda}.
 *
 * <p><b>Outputs</b> (COMMON contract): {@code model/} (the network in SameDiff format and
 * {@code model.json}), {@code reconstructions.npy}, {@code metrics.json}, {@code method.json}
 * (learned λ, training time and peak memory, test-set forward iterations and convergence, the
 * fixed point reached from two starts, Lipschitz numbers), {@code training.json},
 * {@code training.csv}.
 *
 * <p>An unconstrained {@code deq} whose training diverges (non-finite loss or gradients) is not an
 * error: the node is written with the last good parameters and {@code diverged: true}. Other kinds
 * fail with the divergence message.
 */
public final class LearnedTraining {
    /** Factor on the last convolution of unconstrained networks at initialisation. */
    static final double OUTPUT_SCALE = 0.1;
    /** MoDL's initial λ when the method lists no {@code lambdas} (MoDL code). */
    static final double MODL_LAMBDA = 0.05;
    static final String MODEL_DIR = "model";
    static final String NETWORK_DIR = "model/network";
    static final String MODEL_JSON = "model/model.json";
    private static final DataType DTYPE = DataType.FLOAT;
    private static final int EVAL_BATCH = 4;
    /** Relative change to which the two solves of the uniqueness check run (float32 reaches it). */
    static final double UNIQUENESS_TOLERANCE = 1e-5;

    private LearnedTraining() {
    }

    /** Methods this class trains. */
    public static boolean supports(MethodKind kind) {
        return kind == MethodKind.MODL || kind == MethodKind.DEQ || kind == MethodKind.MOL_SN || kind == MethodKind.MOL_LR;
    }

    /** Held-out validation examples of a training split of n: ⌊n/8⌋, at least 1 when n ≥ 4. */
    static int validationSize(int n) {
        return n < 4 ? 0 : Math.max(1, n / 8);
    }

    /** The model to train, freshly initialised. */
    static TrainableModel<ExampleSet.Batch> create(MethodSpec m, TaskSpec task, long seed) {
        requireMri(m, task);
        // before any network graph runs: sessions that free released arrays instead of caching a
        // quarter of physical memory, and a subgraph search linear in the graph size
        org.deqbench.recon.LinearSubgraphSession.install();
        int h = task.height();
        int w = task.width();
        TrainableModel<ExampleSet.Batch> model = switch (m.kind()) {
            case MODL -> {
                ConvNet net = scaledOutput(ConvNet.create(m.network(), 2, 2, seed, DTYPE));
                double lambda = m.lambdas().isEmpty() ? MODL_LAMBDA : m.lambdas().get(0);
                yield new ModlModel(new Modl(net, Modl.logLambdaOf(lambda, DTYPE), m.iterations(), m.cgIterations()));
            }
            case DEQ -> new MolModel(scaledOutput(ConvNet.create(m.network(), 2, 2, seed, DTYPE)), m.deq().lambda(),
                    m.deq(), m.cgIterations(), null, seed, h, w);
            case MOL_LR -> new MolModel(scaledOutput(ConvNet.create(m.network(), 2, 2, seed, DTYPE)), m.deq().lambda(),
                    m.deq(), m.cgIterations(), m.lipschitz(), seed, h, w);
            case MOL_SN -> new MolModel(ConvNet.createSpectral(m.network(), 2, 2, h, w, seed, DTYPE), m.deq().lambda(),
                    m.deq(), m.cgIterations(), null, seed, h, w);
            default -> throw new IllegalArgumentException("method kind '" + m.kind().key() + "' (" + m.name()
                    + ") is not trained by this build; trained kinds: modl, deq, mol-sn, mol-lr");
        };
        if (model instanceof MolModel mol) {
            mol.useTraining(m.training());
        }
        return model;
    }

    private static void requireMri(MethodSpec m, TaskSpec task) {
        if (task.problem() != org.deqbench.spec.Problem.MRI && task.problem() != org.deqbench.spec.Problem.SINGLE_COIL_MRI) {
            throw new IllegalArgumentException("method '" + m.name() + "' (" + m.kind().key() + ") is implemented for "
                    + "2D MRI tasks (problem mri or single-coil-mri); task '" + task.name() + "' has problem "
                    + task.problem().key());
        }
    }

    private static ConvNet scaledOutput(ConvNet net) {
        Map<String, INDArray> p = net.parameters();
        String last = "w" + (net.architecture().layers() - 1);
        p.get(last).muli(OUTPUT_SCALE);
        net.setParameters(p);
        return net;
    }

    /** Trains the node's learned method and writes model, curves, reconstructions and metrics. */
    public static void train(NodeContext ctx) {
        MethodSpec m = ctx.method();
        TaskSpec task = ctx.task();
        SimulatedSplit trainSplit = SimulatedData.load(ctx.simulated(), "train");
        SimulatedSplit testSplit = SimulatedData.load(ctx.simulated(), "test");
        int n = trainSplit.size();
        int nVal = validationSize(n);
        ExampleSet train = ExampleSet.of(trainSplit, 0, n - nVal, DTYPE);
        ExampleSet validation = nVal == 0 ? null : ExampleSet.of(trainSplit, n - nVal, n, DTYPE);
        long seed = RandomStreams.derive(ctx.spec().seed(), ctx.node().id(), 0);
        TrainableModel<ExampleSet.Batch> model = create(m, task, seed);
        Path checkpoints = ctx.store().root().resolve("checkpoints").resolve(ctx.node().id());
        TrainerSettings settings = TrainerSettings.of(m.training(), seed, checkpoints, ctx.node().hash());

        TrainingResult result;
        String divergence = null;
        try (MemoryProbe memory = new MemoryProbe(5, true)) {
            Trainer<ExampleSet.Batch> trainer = new Trainer<ExampleSet.Batch>(settings).memory(memory)
                    .listener(new ProgressListener(ctx.node().id()))
                    .listener(new TrackerListener(ctx.tracker()));
            try {
                result = trainer.run(model, train, validation);
            } catch (TrainingDivergedException e) {
                if (m.kind() != MethodKind.DEQ) {
                    throw e;
                }
                divergence = e.getMessage();
                result = e.partial();
                System.err.println(ctx.node().id() + ": " + divergence);
            }
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("kind", m.kind().key());
            info.put("train_seconds", result.seconds());
            info.put("train_peak_bytes", memory.overall().rssBytes());
            info.put("train_peak_heap_bytes", memory.overall().heapBytes());
            info.put("train_peak_offheap_bytes", memory.overall().offHeapBytes());
            info.put("train_baseline_bytes", memory.baselineRssBytes());
            info.put("steps", result.steps());
            info.put("training_examples", train.size());
            info.put("validation_examples", nVal);
            info.put("best_epoch", result.bestEpoch());
            info.put("diverged", divergence != null);
            if (divergence != null) {
                info.put("divergence", divergence);
            }
            writeOutputs(ctx, m, model, testSplit, info, result);
        }
        new CheckpointStore(checkpoints).delete();
    }

    private static void writeOutputs(NodeContext ctx, MethodSpec m, TrainableModel<ExampleSet.Batch> model,
                                      SimulatedSplit testSplit, Map<String, Object> info, TrainingResult result) {
        ExampleSet test = ExampleSet.of(testSplit, 0, testSplit.size(), DTYPE);
        Evaluation eval = model instanceof ModlModel mm ? evaluate(mm.modl(), test)
                : evaluateDeq((MolModel) model, test, m);
        List<Map<String, Object>> perImage = LinearBaselines.rows(ImageScores.perImage(test.all().groundTruth(),
                eval.reconstructions()));
        Map<String, Object> mean = new LinkedHashMap<>();
        for (String k : List.of("psnr", "ssim", "nmse")) {
            mean.put(k, LinearBaselines.mean(perImage, k));
        }
        info.putAll(eval.info());
        info.put("test_psnr", mean.get("psnr"));

        ctx.output().writeArray("reconstructions.npy", eval.reconstructions().castTo(DataType.FLOAT), "reconstruction",
                "test-split reconstructions, same layout as simulate's test/ground_truth.npy");
        ctx.output().writeJson("metrics.json", Map.of("per_image", perImage, "mean", mean), "metrics",
                "per-image PSNR, SSIM, NMSE on the test split");
        saveModel(ctx, m, model, info);
        ctx.output().writeJson("method.json", info, "method",
                "learned λ, training time (s) and peak memory (bytes), test-set solver behaviour, Lipschitz numbers");
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("kind", m.kind().key());
        summary.put("method", m.name());
        ctx.output().writeJson("training.json", TrainingCurves.json(result, summary), "training_curves",
                "per-step loss, learning rate, time, peak memory and solver diagnostics; per-epoch validation PSNR");
        TrainingCurves.writeCsv(result, ctx.output().resolve("training.csv"));
        ctx.output().addFile("training.csv", "training_curves", "csv", "training.json's step rows as CSV");

        ctx.tracker().logMetric("test_psnr", ((Number) mean.get("psnr")).doubleValue());
        ctx.tracker().logMetric("test_ssim", ((Number) mean.get("ssim")).doubleValue());
        ctx.tracker().logMetric("test_nmse", ((Number) mean.get("nmse")).doubleValue());
        ctx.tracker().logMetric("train_seconds", result.seconds());
        ctx.tracker().logMetric("train_peak_bytes", ((Number) info.get("train_peak_bytes")).doubleValue());
        if (info.get("forward_iterations") instanceof Number fi) {
            ctx.tracker().logMetric("forward_iterations", fi.doubleValue());
        }
        System.out.printf("  %s: test PSNR %.2f dB, SSIM %.4f, %d steps in %.0f s%n", m.name(),
                ((Number) mean.get("psnr")).doubleValue(), ((Number) mean.get("ssim")).doubleValue(), result.steps(),
                result.seconds());
    }

    /** Test-split reconstructions and what the method reports about them. */
    record Evaluation(INDArray reconstructions, Map<String, Object> info) {
    }

    static Evaluation evaluate(Modl modl, ExampleSet test) {
        List<INDArray> parts = new ArrayList<>();
        for (int[] idx : batches(test.size())) {
            ExampleSet.Batch b = test.batch(idx);
            parts.add(modl.reconstruct(b.measurements(), b.operator()));
        }
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("lambda", modl.lambda());
        info.put("iterations", modl.iterations());
        info.put("cg_iterations", modl.cgIterations());
        info.put("parameters", modl.network().parameterCount() + 1);
        return new Evaluation(Nd4j.concat(0, parts.toArray(INDArray[]::new)), info);
    }

    /**
     * Fixed points from the CG-SENSE start and from zero (the uniqueness check), forward
     * iterations and convergence per example, the local Lipschitz estimate of H at the fixed points
     * and the layer-norm bound.
     */
    static Evaluation evaluateDeq(MolModel model, ExampleSet test, MethodSpec m) {
        DeqReconstructor r = model.reconstructor();
        DeqSpec d = m.deq();
        DeqSpec tightSpec = new DeqSpec(d.alpha(), d.lambda(), Math.max(4 * d.maxIterations(), 500),
                Math.min(d.tolerance(), UNIQUENESS_TOLERANCE), d.solver(), d.andersonMemory(), d.backward(),
                d.backwardMaxIterations(), d.backwardTolerance(), d.cgIterations());
        DeqReconstructor tight = new DeqReconstructor(r.network(), r.lambda(), tightSpec, m.cgIterations());
        List<INDArray> parts = new ArrayList<>();
        List<Double> iterations = new ArrayList<>();
        List<Double> residuals = new ArrayList<>();
        double maxGap = 0;
        double sumGap = 0;
        int uniquenessUnconverged = 0;
        boolean converged = true;
        double localMax = 0;
        for (int[] idx : batches(test.size())) {
            ExampleSet.Batch b = test.batch(idx);
            DeqReconstructor.Forward f = r.forward(b.measurements(), b.operator(), null);
            parts.add(f.x());
            converged &= f.solve().converged();
            for (int i = 0; i < idx.length; i++) {
                iterations.add((double) f.solve().exampleIterations()[i]);
                residuals.add(f.solve().exampleResiduals()[i]);
            }
            // the uniqueness check solves tightly from both starts, so that the gap measures
            // whether the fixed point is unique, not the training tolerance
            DeqReconstructor.Forward a = tight.forward(b.measurements(), b.operator(), null);
            DeqReconstructor.Forward g = tight.forward(b.measurements(), b.operator(), f.x().ulike().assign(0));
            uniquenessUnconverged += (a.solve().converged() ? 0 : 1) + (g.solve().converged() ? 0 : 1);
            double[] gap = LocalLipschitzEstimate.norms(a.x().sub(g.x()));
            double[] norm = LocalLipschitzEstimate.norms(a.x());
            for (int i = 0; i < gap.length; i++) {
                double rel = gap[i] / Math.max(norm[i], 1e-30);
                maxGap = Math.max(maxGap, rel);
                sumGap += rel;
            }
            LocalLipschitzEstimate.Estimate e = LocalLipschitzEstimate.estimate(r.network(), f.x(),
                    m.lipschitz() == null ? org.deqbench.spec.LipschitzSpec.DEFAULT : m.lipschitz(), 7);
            localMax = Math.max(localMax, e.max());
        }
        double bound = MolModel.layerNormBound(r.network(), test.task().height(), test.task().width());
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("lambda", r.lambda());
        info.put("alpha", m.deq().alpha());
        info.put("forward_iterations", iterations.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN));
        info.put("forward_iterations_max", iterations.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
        info.put("converged", converged);
        info.put("forward_residual", residuals.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
        info.put("forward_tolerance", m.deq().tolerance());
        info.put("forward_max_iterations", m.deq().maxIterations());
        info.put("fixed_point_uniqueness_gap", maxGap);
        info.put("fixed_point_uniqueness_gap_mean", sumGap / test.size());
        info.put("fixed_point_uniqueness_starts", "CG-SENSE (mu = 1/lambda) and zero, each solved to relative change "
                + tightSpec.tolerance() + " within " + tightSpec.maxIterations() + " iterations; gap = max_i ||x_a - x_b|| / ||x_a||");
        info.put("fixed_point_uniqueness_unconverged_solves", uniquenessUnconverged);
        info.put("lipschitz_bound_h", bound);
        info.put("lipschitz_bound_h_kind", m.kind() == MethodKind.MOL_SN
                ? "certificate: product of per-layer DFT norm bounds (spectral normalisation keeps it below its target)"
                : "certificate: product of per-layer DFT norm bounds (not enforced in training)");
        info.put("lipschitz_local_estimate_h", localMax);
        if (bound < 1) {
            double margin = 1 - bound;
            info.put("monotonicity_margin", margin);
            // F = I − H: x − αF(x) is (1 − αm)-Lipschitz for 0 < α ≤ 1 (certify.MonotoneBound)
            info.put("alpha_contraction_limit", 2 / (2 - margin));
            info.put("alpha_within_contraction_limit", m.deq().alpha() > 0 && m.deq().alpha() < 2 / (2 - margin));
        }
        info.put("parameters", r.network().parameterCount() + 1);
        return new Evaluation(Nd4j.concat(0, parts.toArray(INDArray[]::new)), info);
    }

    private static List<int[]> batches(int n) {
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

    private static void saveModel(NodeContext ctx, MethodSpec m, TrainableModel<ExampleSet.Batch> model,
                                  Map<String, Object> info) {
        ConvNet net = model instanceof ModlModel mm ? mm.modl().network() : ((MolModel) model).network();
        Path dir = ctx.output().resolve(NETWORK_DIR + "/x").getParent();
        net.save(dir);
        Map<String, Object> desc = new LinkedHashMap<>();
        desc.put("kind", m.kind().key());
        desc.put("lambda", info.get("lambda"));
        desc.put("network", "network/ (ConvNet.save: network.json, network.sdz)");
        if (m.kind() == MethodKind.MODL) {
            desc.put("iterations", m.iterations());
            desc.put("cg_iterations", m.cgIterations());
        } else {
            desc.put("deq", m.deq());
            desc.put("init_cg_iterations", m.cgIterations());
        }
        ctx.output().writeJson(MODEL_JSON, desc, "model", "how to rebuild the trained method (kind, λ, settings)");
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                String rel = ctx.output().dir().relativize(p).toString().replace('\\', '/');
                ctx.output().addFile(rel, "model", rel.endsWith(".json") ? "json" : rel.endsWith(".npy") ? "npy" : "samediff",
                        "trained network (nn.ConvNet format)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the saved model in " + dir, e);
        }
    }

    /** Loads a trained learned method from its train node. */
    public static Reconstructor load(NodeInput trained, MethodSpec method, TaskSpec task) {
        if (!supports(method.kind())) {
            throw new IllegalArgumentException("method kind '" + method.kind().key() + "' cannot be loaded by this build;"
                    + " learned kinds available: modl, deq, mol-sn, mol-lr");
        }
        JsonNode desc = trained.json(MODEL_JSON);
        String kind = desc.path("kind").asText();
        if (!kind.equals(method.kind().key())) {
            throw new NodeOutputError(trained.dir().resolve(MODEL_JSON), "holds a '" + kind + "' model but the spec's method '"
                    + method.name() + "' is '" + method.kind().key() + "'", null);
        }
        if (!desc.hasNonNull("lambda")) {
            throw new NodeOutputError(trained.dir().resolve(MODEL_JSON), "has no 'lambda'", null);
        }
        org.deqbench.recon.LinearSubgraphSession.install();
        ConvNet net = ConvNet.load(trained.dir().resolve(NETWORK_DIR));
        double lambda = desc.get("lambda").asDouble();
        if (method.kind() == MethodKind.MODL) {
            return new Modl(net, Modl.logLambdaOf(lambda, net.dataType()), desc.path("iterations").asInt(method.iterations()),
                    desc.path("cg_iterations").asInt(method.cgIterations()));
        }
        return new DeqReconstructor(net, lambda, method.deq(), method.cgIterations());
    }

}
