package org.deqbench.reference;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.deqbench.nn.ConvNet;
import org.deqbench.nn.GemmTimer;
import org.deqbench.nn.KernelBenchmark;
import org.deqbench.physics.MultiCoilMri;
import org.deqbench.plan.RunStore;
import org.deqbench.recon.DeqReconstructor;
import org.deqbench.recon.Modl;
import org.deqbench.spec.DeqSpec;
import org.deqbench.spec.ExperimentSpec;
import org.deqbench.spec.MethodKind;
import org.deqbench.spec.MethodSpec;
import org.deqbench.spec.NetworkSpec;
import org.deqbench.spec.SpecLoader;
import org.deqbench.spec.TaskSpec;
import org.deqbench.stage.MemoryScaling;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * deqbench against the official MOL code (Pramanik, Zimmerman, Jacob, IEEE TCI 2023), one after
 * the other in one run, on identical data and settings. The official side runs in the machine's
 * python3 with torch, through the driver {@code mol_reference_driver.py} shipped with deqbench,
 * which imports the official modules from the given checkout. Three parts:
 * <ol>
 *   <li><b>Training and inference against K</b> (the spec, {@code experiments/reference-bench.yaml}:
 *       64×64, 8 coils, the official 5×64 network, batch 1; and each further {@link TrainSize}): MoDL unrolled K times and MOL-LR with
 *       exactly K forward and K backward iterations. deqbench's rows come from
 *       {@link MemoryScaling} (each configuration in a fresh JVM); the official rows from one
 *       python process per configuration on the same simulated arrays. Per row: median seconds per
 *       training step and peak resident set size above the process baseline over the steps after
 *       the first (on both sides the kernel's high-water mark, reset at each step; see
 *       {@link #PEAK_DEFINITION}), and the median time of a K-iteration
 *       inference (deqbench: x₀ plus K applications of T; official: x₀ plus K + 1 block
 *       applications, as {@code DEQ_inf}/{@code Unroll} do).</li>
 *   <li><b>The released checkpoint</b> on a synthetic slice (default 256×232, 12 coils, 6×
 *       Cartesian): the official {@code tst_mol.py} model and deqbench's import of the same
 *       checkpoint with plain iteration and with Anderson acceleration, the relative difference
 *       ‖x − x_official‖ / ‖x_official‖ of the complex images, time and CNN evaluations.</li>
 *   <li><b>CNN kernels</b>: the official network's forward and forward + backward (gradients for
 *       the input and every parameter) in torch against {@link ConvNet#forward} and
 *       {@link ConvNet#vjp}, median over rounds; every round also times an n×n float32 gemm on
 *       each side (ND4J's {@code Nd4j.gemm}, torch's {@code mm}), and each kernel gets its flop
 *       count, GFLOP/s and share of that side's gemm rate ({@link #FLOPS_DEFINITION}).</li>
 * </ol>
 * The table ends with {@code criteria}: the acceptance criteria judged from this run's rows
 * ({@link ReferenceCriteria}), also printed as a short table at the end of the log.
 * Without a python3 that imports torch the official columns are null and the reason is written.
 */
public final class ReferenceBenchmark {
    /**
     * The C allocator settings the launchers give deqbench's JVMs (one glibc arena, fixed mmap and
     * trim thresholds; README, "The C allocator"): the official code runs without them, with
     * glibc's defaults, as its authors run it.
     */
    static final java.util.Set<String> DEQBENCH_ONLY_ENVIRONMENT =
            java.util.Set.of("MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_");

    /** The official code's environment, made from this process's: the children's settings, without deqbench's allocator ones. */
    static void officialEnvironment(Map<String, String> env) {
        env.putAll(MemoryScaling.CHILD_ENVIRONMENT);
        env.keySet().removeAll(DEQBENCH_ONLY_ENVIRONMENT);
    }

    /** The table, relative to the run directory. */
    public static final String FILE = "bench/reference.json";
    static final String DRIVER = "mol_reference_driver.py";
    /** The released model inside the official repository. */
    public static final String RELEASED_CHECKPOINT = "Models/UIHC_brain_360_Slices_MOL/model_best_trn.pth.tar";
    /** The measured goal: relative difference to the official output on the released model. */
    static final double GOAL = 1e-3;

    private ReferenceBenchmark() {
    }

    /**
     * @param molCode     checkout of the official repository
     * @param python      interpreter to try first (null: python3 on the PATH, then /usr/bin/python3)
     * @param spec        the K-scaling spec (one MRI task, a modl and a mol-lr method)
     * @param runDir      where data, rows and the table go
     * @param iterations  K values
     * @param steps       training steps per configuration (≥ 2; the first is excluded)
     * @param sliceHeight checkpoint comparison: slice height
     * @param sliceCoils  checkpoint comparison: coils
     * @param kernelShapes CNN kernel shapes B×C×H×W, each timed on both sides
     * @param rounds      timed rounds of the kernels and inferences
     * @param trainSizes  sizes of the training and inference rows ({@link TrainSize#SPEC}: the spec's own)
     * @param repeats     processes per configuration and side; a row reports their medians
     * @param gemmSize    n of the n×n float32 gemm timed beside the CNN kernels (both sides)
     */
    public record Settings(Path molCode, String python, Path spec, Path runDir, List<Integer> iterations, int steps,
                           int sliceHeight, int sliceWidth, int sliceCoils, List<long[]> kernelShapes, int rounds,
                           List<TrainSize> trainSizes, int repeats, int gemmSize) {
        /** The default gemm size, n = {@value #DEFAULT_GEMM_SIZE}. */
        public static final int DEFAULT_GEMM_SIZE = 1024;
        /** The largest gemm size (three n×n float32 arrays of 1 GiB each at the limit). */
        public static final int MAX_GEMM_SIZE = 16384;

        public Settings {
            if (gemmSize < 1 || gemmSize > MAX_GEMM_SIZE) {
                throw new IllegalArgumentException("--gemm-size must be between 1 and " + MAX_GEMM_SIZE + ", found "
                        + gemmSize);
            }
            if (trainSizes == null || trainSizes.isEmpty()) {
                trainSizes = List.of(TrainSize.SPEC);
            }
            if (repeats < 1) {
                throw new IllegalArgumentException("--repeats must be at least 1, found " + repeats);
            }
            if (kernelShapes == null || kernelShapes.isEmpty()) {
                throw new IllegalArgumentException("--kernel-shape: at least one shape");
            }
            kernelShapes = List.copyOf(kernelShapes);
        }
    }

    /**
     * Image size and coils of the training and inference rows: the spec's first task with its
     * {@code size} and {@code mri.coils} replaced, or the spec as it is ({@link #SPEC}).
     */
    public record TrainSize(int height, int width, int coils) {
        /** The spec's own size. */
        public static final TrainSize SPEC = new TrainSize(0, 0, 0);

        public boolean isSpec() {
            return equals(SPEC);
        }

        /** {@code HxWxCOILS} (e.g. {@code 256x232x12}) or {@code spec}. */
        public static TrainSize parse(String text) {
            String t = text == null ? "" : text.trim().toLowerCase();
            if (t.equals("spec")) {
                return SPEC;
            }
            String[] parts = t.split("x", -1);
            if (parts.length != 3) {
                throw new IllegalArgumentException("--train-size: expected HEIGHTxWIDTHxCOILS (e.g. 256x232x12) or 'spec', "
                        + "found '" + text + "'");
            }
            int[] v = new int[3];
            String[] names = {"height", "width", "coils"};
            for (int i = 0; i < 3; i++) {
                try {
                    v[i] = Integer.parseInt(parts[i]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--train-size: the " + names[i] + " '" + parts[i]
                            + "' is not a whole number in '" + text + "' (expected e.g. 256x232x12)");
                }
                if (v[i] < 1) {
                    throw new IllegalArgumentException("--train-size: the " + names[i] + " must be at least 1, found '"
                            + text + "'");
                }
            }
            return new TrainSize(v[0], v[1], v[2]);
        }

        /** {@code HxWxCOILS}, or {@code spec}. */
        public String label() {
            return isSpec() ? "spec" : height + "x" + width + "x" + coils;
        }
    }

    /** Child JVM command lines of the memory benchmark for a spec and a run directory. */
    @FunctionalInterface
    public interface JavaChildren {
        MemoryScaling.ChildCommand forSpec(Path spec, Path runDir);
    }

    /** Runs everything and writes {@value #FILE}; returns its path. */
    public static Path run(Settings s, JavaChildren javaChild, PrintStream log) throws Exception {
        Path work = Files.createDirectories(s.runDir().resolve("bench").resolve("reference"));
        // the resized specs are written and validated before anything runs
        List<Sized> sized = new ArrayList<>();
        for (TrainSize size : s.trainSizes()) {
            sized.add(Sized.of(s, size));
        }
        Path driver = work.resolve(DRIVER);
        try (InputStream in = ReferenceBenchmark.class.getResourceAsStream(DRIVER)) {
            Files.copy(in, driver, StandardCopyOption.REPLACE_EXISTING);
        }
        Python py = Python.find(s.python(), log);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("kind", "reference-benchmark");
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("python", py.executable());
        env.put("torch", py.torchVersion());
        env.put("official_unavailable", py.problem());
        env.put("mol_code", s.molCode().toAbsolutePath().toString());
        env.put("available_processors", Runtime.getRuntime().availableProcessors());
        env.put("nd4j_max_threads", Nd4j.getEnvironment().maxThreads());
        env.put("java", System.getProperty("java.version"));
        // both sides inherit it; torch reports its own thread count in each official row
        env.put("omp_num_threads", System.getenv("OMP_NUM_THREADS"));
        doc.put("environment", env);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("spec", s.spec().toString());
        settings.put("iterations", s.iterations());
        settings.put("steps", s.steps());
        settings.put("slice", List.of(s.sliceHeight(), s.sliceWidth(), s.sliceCoils()));
        settings.put("kernel_shapes", s.kernelShapes());
        settings.put("rounds", s.rounds());
        settings.put("train_sizes", s.trainSizes().stream().map(TrainSize::label).toList());
        settings.put("repeats", s.repeats());
        settings.put("gemm_size", s.gemmSize());
        settings.put("peak_above_baseline", PEAK_DEFINITION);
        doc.put("settings", settings);

        GemmTimer gemm = new GemmTimer(s.gemmSize());
        List<Map<String, Object>> kernels = new ArrayList<>();
        for (long[] shape : s.kernelShapes()) {
            kernels.add(kernels(s, shape, gemm, py, driver, log));
        }
        doc.put("gemm", gemmSummary(s.gemmSize(), kernels));
        doc.put("kernels", kernels);
        Map<String, Object> checkpoint = checkpoint(s, py, driver, work, log);
        doc.put("checkpoint", checkpoint);
        List<Map<String, Object>> training = new ArrayList<>();
        for (Sized one : sized) {
            training.addAll(training(s, one, py, driver, javaChild, log));
        }
        doc.put("training", training);
        Map<String, Object> criteria = ReferenceCriteria.evaluate(kernels, checkpoint, training);
        doc.put("criteria", criteria);

        Path file = s.runDir().resolve(FILE);
        RunStore.JSON.writeValue(file.toFile(), doc);
        ReferenceCriteria.print(criteria, log);
        return file;
    }

    /** What "peak above baseline" means on both sides (written into the table). */
    static final String PEAK_DEFINITION = "largest per-step peak RSS over the steps after the first minus the RSS "
            + "before the first step; both sides collect garbage before the baseline and before each step, and read the "
            + "step's peak from the kernel's high-water mark (VmHWM, reset at each step) where Linux allows it, else "
            + "from RSS sampled every 2 ms; with repeats > 1 each configuration runs in that many fresh processes per "
            + "side and the row gives the medians";

    /**
     * One training size: its spec file (the given one, or a resized copy in its own directory below
     * {@code <run-dir>/bench/reference/train-HxWxCOILS}, which also holds its simulated data and
     * rows), that spec as loaded (and so validated) before anything runs, and its run directory.
     */
    record Sized(TrainSize size, Path spec, ExperimentSpec loaded, Path dir) {
        static Sized of(Settings s, TrainSize size) throws IOException {
            if (size.isSpec()) {
                return new Sized(size, s.spec(), SpecLoader.load(s.spec()), s.runDir());
            }
            Path dir = Files.createDirectories(s.runDir().resolve("bench").resolve("reference")
                    .resolve("train-" + size.label()));
            Path spec = resized(s.spec(), size, dir.resolve("spec.yaml"));
            return new Sized(size, spec, SpecLoader.load(spec), dir);
        }
    }

    /** K-scaling rows of both implementations at one size. */
    static List<Map<String, Object>> training(Settings s, Sized sized, Python py, Path driver, JavaChildren javaChild,
                                              PrintStream log) throws Exception {
        Path specFile = sized.spec();
        Path dir = sized.dir();
        TrainSize size = sized.size();
        ExperimentSpec spec = sized.loaded();
        TaskSpec taskSpec = spec.tasks().get(0);
        List<Integer> shape = List.of(taskSpec.size().get(0), taskSpec.size().get(taskSpec.size().size() - 1),
                taskSpec.mri() == null || taskSpec.mri().coils() == null ? 1 : taskSpec.mri().coils());
        String task = taskSpec.name();
        Path data = dir.resolve(MemoryScaling.DATA_DIR).resolve("simulate").resolve(task).resolve("train");
        // repeats alternate the sides, so that a change of the machine's load reaches both
        List<List<Map<String, Object>>> javaRuns = new ArrayList<>();
        List<Map<String, Map<String, Object>>> officialRuns = new ArrayList<>();
        for (int rep = 0; rep < s.repeats(); rep++) {
            if (s.repeats() > 1) {
                log.printf("reference training %s: repeat %d of %d%n", size.label(), rep + 1, s.repeats());
            }
            Path memoryFile = MemoryScaling.run(specFile, dir, s.iterations(), s.steps(), javaChild.forSpec(specFile, dir),
                    log);
            Map<String, Object> memory = RunStore.JSON.readValue(memoryFile.toFile(), new TypeReference<>() { });
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> javaRows = (List<Map<String, Object>>) memory.get("rows");
            javaRuns.add(javaRows);
            Map<String, Map<String, Object>> official = new LinkedHashMap<>();
            if (py.usable()) {
                for (MethodSpec m : spec.methods()) {
                    for (int k : s.iterations()) {
                        official.put(m.name() + ":" + k, py.run(driver, s.molCode(), officialTrainArgs(m, k, s.steps(), data),
                                log));
                    }
                }
            }
            officialRuns.add(official);
        }
        MolInference.Inputs in = MolInference.read(data.resolve("measurements.npy"), data.resolve("coil_maps.npy"),
                data.resolve("masks.npy"));
        MolInference.Inputs one = new MolInference.Inputs(in.measurements().get(pointAt(0)).dup(),
                in.coilMaps().get(pointAt(0)).dup(), in.masks().get(pointAt(0)).dup());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (MethodSpec m : spec.methods()) {
            for (int k : s.iterations()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("method", m.name());
                row.put("kind", m.kind().key());
                row.put("iterations", k);
                row.put("size", shape);
                List<Map<String, Object>> jr = new ArrayList<>();
                for (List<Map<String, Object>> run : javaRuns) {
                    jr.add(run.stream().filter(r -> m.name().equals(r.get("method"))
                            && ((Number) r.get("iterations")).intValue() == k).findFirst().orElseThrow());
                }
                Map<String, Object> ours = medians(jr);
                ours.put("inference_seconds", inferenceSeconds(m, k, one, s.rounds()));
                row.put("deqbench", ours);
                Map<String, Object> theirs = null;
                if (py.usable()) {
                    List<Map<String, Object>> or = officialRuns.stream().map(o -> o.get(m.name() + ":" + k)).toList();
                    theirs = medians(or);
                    theirs.put("inference_seconds", median(or.stream().mapToDouble(
                            r -> ((Number) r.get("inference_seconds")).doubleValue()).toArray()));
                    theirs.put("threads", or.get(0).get("threads"));
                }
                row.put("official", theirs);
                if (theirs != null) {
                    row.put("step_time_ratio", ((Number) ours.get("seconds_per_step")).doubleValue()
                            / ((Number) theirs.get("seconds_per_step")).doubleValue());
                    row.put("memory_ratio", ((Number) ours.get("peak_above_baseline_bytes")).doubleValue()
                            / ((Number) theirs.get("peak_above_baseline_bytes")).doubleValue());
                    row.put("inference_time_ratio", ((Number) ours.get("inference_seconds")).doubleValue()
                            / ((Number) theirs.get("inference_seconds")).doubleValue());
                }
                log.printf("reference %s %-7s K=%-3d deqbench %.2f s/step %.0f MiB, official %s%n", size.label(),
                        m.name(), k, ((Number) ours.get("seconds_per_step")).doubleValue(),
                        ((Number) ours.get("peak_above_baseline_bytes")).doubleValue() / (1 << 20),
                        theirs == null ? "-" : String.format("%.2f s/step %.0f MiB",
                                ((Number) theirs.get("seconds_per_step")).doubleValue(),
                                ((Number) theirs.get("peak_above_baseline_bytes")).doubleValue() / (1 << 20)));
                rows.add(row);
            }
        }
        return rows;
    }

    /** The official driver's arguments for one training configuration. */
    private static List<String> officialTrainArgs(MethodSpec m, int k, int steps, Path data) {
        String official = m.kind() == MethodKind.MODL ? "modl" : "mol";
        List<String> args = new ArrayList<>(List.of("train", "--method", official, "--iterations", String.valueOf(k),
                "--steps", String.valueOf(steps), "--data", data.toString(), "--layers",
                String.valueOf(m.network().layers()), "--channels", String.valueOf(m.network().channels())));
        if (m.kind() == MethodKind.MODL) {
            // the official Unroll starts from its 50-step CG-SENSE (A_init); MoDL's CG steps per iteration
            args.addAll(List.of("--modl-lambda", String.valueOf(m.lambdas().isEmpty() ? 0.05 : m.lambdas().get(0)),
                    "--cg-iter", String.valueOf(m.cgIterations()), "--cg-init", "50"));
        } else {
            args.addAll(List.of("--alpha", String.valueOf(m.deq().alpha()), "--lam-init", String.valueOf(m.deq().lambda()),
                    "--cg-iter", String.valueOf(m.deq().cgIterations()), "--cg-init", String.valueOf(m.cgIterations())));
        }
        return args;
    }

    /**
     * One side's figures over repeated processes: the medians of seconds per step and of the peak
     * (above baseline and absolute), with every process's values beside them.
     */
    static Map<String, Object> medians(List<Map<String, Object>> runs) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String key : List.of("seconds_per_step", "peak_above_baseline_bytes", "peak_bytes", "baseline_bytes")) {
            double[] v = runs.stream().filter(r -> r.get(key) != null)
                    .mapToDouble(r -> ((Number) r.get(key)).doubleValue()).toArray();
            if (v.length == 0) {
                continue;
            }
            double med = median(v);
            out.put(key, key.endsWith("_bytes") ? (Object) Math.round(med) : (Object) med);
            if (runs.size() > 1) {
                out.put(key + "_runs", key.endsWith("_bytes") ? Arrays.stream(v).mapToLong(Math::round).boxed().toList()
                        : Arrays.stream(v).boxed().toList());
            }
        }
        if (runs.size() == 1 && runs.get(0).get("step_peak_bytes") != null) {
            out.put("step_peak_bytes", runs.get(0).get("step_peak_bytes"));
        }
        if (runs.get(0).get("peak_source") != null) {
            out.put("peak_source", runs.get(0).get("peak_source"));
        }
        return out;
    }

    /**
     * Writes {@code spec} with its first task's {@code size} and {@code mri.coils} set to {@code size}
     * (and its name suffixed) to {@code out}; the YAML is edited as a tree, so every other key stays.
     */
    static Path resized(Path spec, TrainSize size, Path out) throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        JsonNode root = yaml.readTree(spec.toFile());
        JsonNode tasks = root == null ? null : root.get("tasks");
        if (!(tasks instanceof ArrayNode) || tasks.isEmpty() || !(tasks.get(0) instanceof ObjectNode task)) {
            throw new IllegalArgumentException(spec + ": --train-size needs a spec with a task (tasks[0])");
        }
        String problem = task.path("problem").asText("");
        if (!problem.equals("mri")) {
            throw new IllegalArgumentException(spec + ": --train-size sets the coils of a multi-coil MRI task; tasks[0] "
                    + "has problem '" + problem + "'");
        }
        ArrayNode dims = task.putArray("size");
        dims.add(size.height()).add(size.width());
        JsonNode mri = task.get("mri");
        ObjectNode mriNode = mri instanceof ObjectNode o ? o : task.putObject("mri");
        mriNode.put("coils", size.coils());
        ((ObjectNode) root).put("name", root.path("name").asText("reference") + "-" + size.label());
        Files.createDirectories(out.toAbsolutePath().getParent());
        yaml.writeValue(out.toFile(), root);
        return out;
    }

    private static INDArrayIndex[] pointAt(int i) {
        return new INDArrayIndex[] {NDArrayIndex.interval(i, i + 1)};
    }

    /**
     * Median time of a K-iteration reconstruction of one slice with the method's network freshly
     * initialised (the cost does not depend on the weights): MOL-LR's x₀ and K applications of T at
     * tolerance 0, MoDL's K unrolled iterations.
     */
    static double inferenceSeconds(MethodSpec m, int k, MolInference.Inputs in, int rounds) {
        ConvNet net = ConvNet.create(m.network(), 2, 2, 11, DataType.FLOAT);
        MultiCoilMri op = new MultiCoilMri(in.coilMaps(), in.masks());
        Supplier<INDArray> recon;
        if (m.kind() == MethodKind.MODL) {
            double lambda = m.lambdas().isEmpty() ? 0.05 : m.lambdas().get(0);
            Modl modl = new Modl(net, Modl.logLambdaOf(lambda, DataType.FLOAT), k, m.cgIterations());
            recon = () -> modl.reconstruct(in.measurements(), op);
        } else {
            DeqSpec d = m.deq();
            DeqSpec capped = new DeqSpec(d.alpha(), d.lambda(), k, 0.0, "plain", d.andersonMemory(), d.backward(), k, 0.0,
                    d.cgIterations());
            DeqReconstructor r = new DeqReconstructor(net, d.lambda(), capped, m.cgIterations());
            recon = () -> r.reconstruct(in.measurements(), op);
        }
        recon.get(); // builds the graphs
        double[] t = new double[Math.max(1, rounds)];
        for (int i = 0; i < t.length; i++) {
            long t0 = System.nanoTime();
            recon.get();
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        return median(t);
    }

    /** The released checkpoint on one synthetic slice: both implementations, plain and Anderson. */
    static Map<String, Object> checkpoint(Settings s, Python py, Path driver, Path work, PrintStream log)
            throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        Path ckpt = s.molCode().resolve(RELEASED_CHECKPOINT);
        out.put("checkpoint", ckpt.toString());
        out.put("slice", Map.of("height", s.sliceHeight(), "width", s.sliceWidth(), "coils", s.sliceCoils(),
                "acceleration", 6.0, "noise_sigma", 0.005, "phantom", "anatomy"));
        Path data = Files.createDirectories(work.resolve("slice"));
        SyntheticSlices slice = SyntheticSlices.generate(1, s.sliceHeight(), s.sliceWidth(), s.sliceCoils(), 6.0, 0.005,
                20260103L);
        Nd4j.writeAsNumpy(slice.measurements(), data.resolve("measurements.npy").toFile());
        Nd4j.writeAsNumpy(slice.coilMaps(), data.resolve("coil_maps.npy").toFile());
        Nd4j.writeAsNumpy(slice.masks(), data.resolve("masks.npy").toFile());
        Nd4j.writeAsNumpy(slice.groundTruth(), data.resolve("ground_truth.npy").toFile());
        Path yml = ckpt.resolveSibling("training_parameters.yml");
        MolCheckpoint c = MolCheckpoint.read(ckpt, Files.isRegularFile(yml) ? yml : null);
        Path modelDir = work.resolve("model");
        ImportedMolModel.write(modelDir, c.network(), c.settings(), new ImportedMolModel.Source(ckpt.toString(), null,
                Files.isRegularFile(yml) ? yml.toString() : null));
        MolInference.Inputs in = MolInference.read(data.resolve("measurements.npy"), data.resolve("coil_maps.npy"),
                data.resolve("masks.npy"));
        OfficialMolSettings os = c.settings();
        INDArray official = null;
        if (py.usable()) {
            Path x = data.resolve("official.npy");
            Map<String, Object> r = py.run(driver, s.molCode(), List.of("infer", "--checkpoint", ckpt.toString(), "--data",
                    data.toString(), "--out", x.toString(), "--lam", String.valueOf(os.lambda()), "--alpha",
                    String.valueOf(os.alpha()), "--lam-init", String.valueOf(os.initLambda()), "--cg-init",
                    String.valueOf(os.initCgIterations()), "--cg-iter", String.valueOf(os.cgIterations()), "--tolerance",
                    String.valueOf(os.tolerance()), "--max-iterations", String.valueOf(os.maxIterations())), log);
            out.put("official", r);
            official = Nd4j.createFromNpyFile(x.toFile()).castTo(DataType.DOUBLE);
            log.printf("reference checkpoint: official %d iterations (%d block evaluations), %.1f s%n",
                    ((Number) r.get("nfe")).intValue(), ((Number) r.get("block_evaluations")).intValue(),
                    ((Number) r.get("seconds")).doubleValue());
        } else {
            out.put("official", null);
        }
        for (String solver : List.of("plain", "anderson")) {
            ImportedMolModel.Loaded m = ImportedMolModel.load(modelDir, solver);
            MolInference.Result r = MolInference.run(m, in);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("seconds", r.seconds());
            row.put("iterations", r.iterations());
            row.put("cnn_evaluations", r.cnnEvaluations());
            row.put("converged", r.converged());
            row.put("relative_change", r.residual());
            INDArray x = r.x().castTo(DataType.DOUBLE);
            Double rel = official == null ? null : x.sub(official).norm2Number().doubleValue()
                    / official.norm2Number().doubleValue();
            row.put("relative_difference_to_official", rel);
            row.put("magnitude_relative_difference_to_official", official == null ? null : magnitudeDifference(x, official));
            row.put("goal", GOAL);
            row.put("goal_met", rel == null ? null : rel <= GOAL);
            out.put("deqbench_" + solver, row);
            Nd4j.writeAsNumpy(r.x(), data.resolve("deqbench_" + solver + ".npy").toFile());
            log.printf("reference checkpoint: deqbench %s %d iterations (%d CNN evaluations), %.1f s, relative "
                    + "difference to official %s%n", solver, r.iterations(), r.cnnEvaluations(), r.seconds(),
                    rel == null ? "-" : String.format("%.2e", rel));
        }
        return out;
    }

    private static double magnitudeDifference(INDArray x, INDArray y) {
        INDArray mx = magnitude(x);
        INDArray my = magnitude(y);
        return mx.sub(my).norm2Number().doubleValue() / my.norm2Number().doubleValue();
    }

    private static INDArray magnitude(INDArray x) {
        INDArray re = x.get(NDArrayIndex.all(), NDArrayIndex.point(0));
        INDArray im = x.get(NDArrayIndex.all(), NDArrayIndex.point(1));
        return Transforms.sqrt(re.mul(re).addi(im.mul(im)));
    }

    /**
     * What the kernels' flop counts and gemm shares mean (written into the table); the same
     * definition as {@code bench kernels} ({@link org.deqbench.nn.KernelBenchmark}).
     */
    static final String FLOPS_DEFINITION = "convolutions only: 2*k^2*Cin*Cout*H*W per layer and image for the forward "
            + "pass, 3x that for forward + VJP (input and weight gradients each cost a forward pass); an n x n gemm counts "
            + "2*n^3; a share of the gemm rate is the median over rounds of (kernel rate / gemm rate of the same side in "
            + "the same round)";

    /**
     * CNN forward and forward + VJP, deqbench and torch, on the same shape; every round also times
     * one n×n float32 gemm on the same side (ND4J's here, torch's in the driver), so that the
     * kernels' shares of the gemm rate come from the same run and the same load.
     */
    static Map<String, Object> kernels(Settings s, long[] shape, GemmTimer gemm, Python py, Path driver, PrintStream log) {
        ConvNet net = ConvNet.create(NetworkSpec.DEFAULT, (int) shape[1], (int) shape[1], 5, DataType.FLOAT);
        INDArray x = Nd4j.rand(DataType.FLOAT, shape);
        INDArray v = Nd4j.rand(DataType.FLOAT, shape);
        net.forward(x);
        net.vjp(x, v);
        gemm.seconds();
        double[] fwd = new double[Math.max(1, s.rounds())];
        double[] vjp = new double[fwd.length];
        double[] gm = new double[fwd.length];
        for (int i = 0; i < fwd.length; i++) {
            gm[i] = gemm.seconds();
            long t0 = System.nanoTime();
            net.forward(x);
            fwd[i] = (System.nanoTime() - t0) / 1e9;
            t0 = System.nanoTime();
            net.vjp(x, v);
            vjp[i] = (System.nanoTime() - t0) / 1e9;
        }
        double flops = net.architecture().convolutionFlops(shape[2], shape[3]) * shape[0];
        double gemmFlops = gemm.flops();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("shape", shape);
        out.put("network", "5 layers 3x3, 2->64->64->64->64->2, relu, bias");
        out.put("forward_flops", flops);
        out.put("forward_vjp_flops", 3 * flops);
        Map<String, Object> ours = new LinkedHashMap<>();
        ours.put("forward_seconds", median(fwd));
        ours.put("forward_vjp_seconds", median(vjp));
        ours.put("gemm_seconds", median(gm));
        ours.put("gemm_seconds_rounds", Arrays.stream(gm).boxed().toList());
        ours.putAll(rates(flops, fwd, vjp, gemmFlops, gm));
        out.put("deqbench", ours);
        Map<String, Object> theirs = null;
        if (py.usable()) {
            theirs = new LinkedHashMap<>(py.run(driver, s.molCode(), List.of("kernels", "--shape", String.join(",",
                    Arrays.stream(shape).mapToObj(String::valueOf).toList()), "--rounds", String.valueOf(s.rounds()),
                    "--gemm-size", String.valueOf(s.gemmSize())), log));
            double[] tf = doubles(theirs.get("forward_seconds_rounds"));
            double[] tv = doubles(theirs.get("forward_vjp_seconds_rounds"));
            double[] tg = doubles(theirs.get("gemm_seconds_rounds"));
            if (tf != null && tv != null && tg != null) {
                theirs.putAll(rates(flops, tf, tv, gemmFlops, tg));
            }
            out.put("forward_ratio", median(fwd) / ((Number) theirs.get("forward_seconds")).doubleValue());
            out.put("forward_vjp_ratio", median(vjp) / ((Number) theirs.get("forward_vjp_seconds")).doubleValue());
        }
        out.put("official", theirs);
        log.printf("reference kernels %s: deqbench forward %.3f s, forward+vjp %.3f s (%.1f GFLOP/s, %.0f %% of gemm "
                        + "%.1f GFLOP/s); torch %s%n", Arrays.toString(shape), median(fwd), median(vjp),
                ((Number) ours.get("forward_vjp_gflops")).doubleValue(),
                100 * ((Number) ours.get("forward_vjp_share_of_gemm")).doubleValue(),
                ((Number) ours.get("gemm_gflops")).doubleValue(),
                theirs == null ? "-" : String.format("forward %.3f s, forward+backward %.3f s%s",
                        ((Number) theirs.get("forward_seconds")).doubleValue(),
                        ((Number) theirs.get("forward_vjp_seconds")).doubleValue(),
                        theirs.get("forward_vjp_share_of_gemm") == null ? "" : String.format(
                                " (%.1f GFLOP/s, %.0f %% of gemm %.1f GFLOP/s)",
                                ((Number) theirs.get("forward_vjp_gflops")).doubleValue(),
                                100 * ((Number) theirs.get("forward_vjp_share_of_gemm")).doubleValue(),
                                ((Number) theirs.get("gemm_gflops")).doubleValue())));
        return out;
    }

    /**
     * Rates of one side's kernels from per-round times: {@code forward_gflops},
     * {@code forward_vjp_gflops} (3× the forward flops), {@code gemm_gflops} (medians over rounds)
     * and {@code forward_share_of_gemm}, {@code forward_vjp_share_of_gemm}: the median over rounds
     * of the kernel's rate over the gemm rate of the same round.
     */
    static Map<String, Object> rates(double forwardFlops, double[] forwardSeconds, double[] vjpSeconds,
                                     double gemmFlops, double[] gemmSeconds) {
        Map<String, Object> out = new LinkedHashMap<>();
        double[] f = throughput(forwardFlops, forwardSeconds, gemmFlops, gemmSeconds);
        double[] v = throughput(3 * forwardFlops, vjpSeconds, gemmFlops, gemmSeconds);
        out.put("forward_gflops", f[0]);
        out.put("forward_vjp_gflops", v[0]);
        out.put("gemm_gflops", f[1]);
        out.put("forward_share_of_gemm", f[2]);
        out.put("forward_vjp_share_of_gemm", v[2]);
        return out;
    }

    /**
     * {median kernel GFLOP/s, median gemm GFLOP/s, median over rounds of kernel rate / gemm rate},
     * as {@code bench kernels} computes its fractions; rounds pair the i-th times of both arrays.
     */
    static double[] throughput(double flops, double[] seconds, double gemmFlops, double[] gemmSeconds) {
        if (seconds.length == 0 || seconds.length != gemmSeconds.length) {
            throw new IllegalArgumentException("kernel and gemm times must pair up round by round, found "
                    + seconds.length + " and " + gemmSeconds.length);
        }
        for (int i = 0; i < seconds.length; i++) {
            if (!(seconds[i] > 0) || !(gemmSeconds[i] > 0)) {
                throw new IllegalArgumentException("times must be positive, found " + seconds[i] + " s and "
                        + gemmSeconds[i] + " s in round " + (i + 1));
            }
        }
        double[] gemmRates = KernelBenchmark.rates(gemmFlops, millis(gemmSeconds));
        KernelBenchmark.KernelTiming k = KernelBenchmark.timing(flops, millis(seconds), gemmRates);
        return new double[] {k.gflops(), median(gemmRates), k.fractionOfGemm()};
    }

    private static double[] millis(double[] seconds) {
        return Arrays.stream(seconds).map(t -> 1e3 * t).toArray();
    }

    /**
     * The {@code gemm} section: n, 2n³ and each side's median time and rate over every gemm the
     * kernel part timed (each side's {@code gemm_seconds_rounds} of the kernels rows).
     */
    static Map<String, Object> gemmSummary(int n, List<Map<String, Object>> kernels) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("size", n);
        out.put("dtype", "float32");
        out.put("flops", GemmTimer.flops(n));
        out.put("flops_definition", FLOPS_DEFINITION);
        out.put("deqbench", gemmSide(n, gemmRounds(kernels, "deqbench"), "ND4J"));
        Map<String, Object> theirs = gemmSide(n, gemmRounds(kernels, "official"), "torch.mm");
        if (theirs != null) {
            // which BLAS torch's mm went through (a reference BLAS is far below its convolutions)
            kernels.stream().map(k -> k.get("official") instanceof Map<?, ?> o ? o.get("blas") : null)
                    .filter(b -> b != null).findFirst().ifPresent(b -> theirs.put("blas", b));
        }
        out.put("official", theirs);
        return out;
    }

    /** Every gemm time of one side ({@code deqbench} or {@code official}) over the kernels rows. */
    private static double[] gemmRounds(List<Map<String, Object>> kernels, String side) {
        return kernels.stream().map(k -> k.get(side) instanceof Map<?, ?> m ? doubles(m.get("gemm_seconds_rounds")) : null)
                .filter(java.util.Objects::nonNull).flatMapToDouble(Arrays::stream).toArray();
    }

    private static Map<String, Object> gemmSide(int n, double[] seconds, String what) {
        if (seconds.length == 0) {
            return null;
        }
        Map<String, Object> side = new LinkedHashMap<>();
        side.put("library", what);
        side.put("seconds", median(seconds));
        side.put("gflops", GemmTimer.flops(n) / median(seconds) / 1e9);
        side.put("timings", seconds.length);
        return side;
    }

    private static double[] doubles(Object list) {
        if (!(list instanceof List<?> l) || l.isEmpty() || !l.stream().allMatch(v -> v instanceof Number)) {
            return null;
        }
        return l.stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray();
    }

    static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** The interpreter that runs the official code, or why there is none. */
    record Python(String executable, String torchVersion, String problem) {
        boolean usable() {
            return problem == null;
        }

        static Python find(String preferred, PrintStream log) {
            List<String> candidates = new ArrayList<>();
            if (preferred != null) {
                candidates.add(preferred);
            }
            candidates.add("python3");
            candidates.add("/usr/bin/python3");
            StringBuilder why = new StringBuilder();
            for (String c : candidates) {
                try {
                    Process p = new ProcessBuilder(c, "-c", "import torch; print(torch.__version__)")
                            .redirectErrorStream(true).start();
                    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                    if (p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0) {
                        String[] lines = text.split("\n");
                        return new Python(c, lines[lines.length - 1].trim(), null);
                    }
                    why.append(c).append(": no torch; ");
                } catch (IOException e) {
                    why.append(c).append(": not found; ");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            String problem = "no python3 with torch (" + why.toString().trim() + "); install Debian's python3-torch";
            log.println("reference: " + problem + "; official columns left empty");
            return new Python(null, null, problem);
        }

        /** Runs the driver; its last stdout line is a JSON object. */
        Map<String, Object> run(Path driver, Path molCode, List<String> args, PrintStream log) {
            List<String> cmd = new ArrayList<>(List.of(executable, driver.toString()));
            cmd.add(args.get(0));
            cmd.addAll(List.of("--mol-code", molCode.toString()));
            cmd.addAll(args.subList(1, args.size()));
            try {
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
                officialEnvironment(pb.environment());
                Process p = pb.start();
                String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                int code = p.waitFor();
                String[] lines = text.split("\n");
                String last = lines[lines.length - 1];
                if (code != 0 || !last.startsWith("{")) {
                    throw new IllegalStateException("the official code failed (exit " + code + "): " + String.join(" ", cmd)
                            + "\n" + text.substring(Math.max(0, text.length() - 2000)));
                }
                return RunStore.JSON.readValue(last, new TypeReference<>() { });
            } catch (IOException e) {
                throw new IllegalStateException("cannot run " + String.join(" ", cmd) + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted: " + String.join(" ", cmd), e);
            }
        }
    }
}
