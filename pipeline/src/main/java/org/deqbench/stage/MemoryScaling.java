package org.deqbench.stage;

import org.deqbench.train.ExampleSet;
import org.deqbench.train.LearnedMethod;
import org.deqbench.train.MemoryProbe;
import org.deqbench.train.MethodRegistry;
import org.deqbench.train.RandomStreams;
import org.deqbench.train.StepRecord;
import org.deqbench.train.TrainableModel;
import org.deqbench.train.Trainer;
import org.deqbench.train.TrainerSettings;
import org.deqbench.train.TrainingResult;
import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deqbench.data.SimulatedData;
import org.deqbench.data.SimulatedSplit;
import org.deqbench.plan.NodeExecutor;
import org.deqbench.plan.RunStore;
import org.deqbench.spec.DeqSpec;
import org.deqbench.spec.ExperimentSpec;
import org.deqbench.spec.MethodKind;
import org.deqbench.spec.MethodSpec;
import org.deqbench.spec.SpecLoader;
import org.deqbench.spec.TaskSpec;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Training memory against iterations (the MOL paper's memory claim): a few training steps of every
 * method of a spec for each iteration count K — MoDL unrolled K times, the deep-equilibrium
 * methods with their forward and backward fixed-point iterations capped at exactly K (tolerance 0,
 * so every solve runs to the cap) — each configuration in a fresh JVM so that no peak, cache or
 * allocator state leaks from one into the next. Unrolled methods keep the activations of all K
 * iterations for backpropagation and should grow linearly with K; implicit differentiation keeps
 * one iterate and should stay flat.
 *
 * <p>Per configuration: the spec's first task is simulated once into {@value #DATA_DIR} below the
 * run directory (a store of its own, so that running the benchmark into an experiment's run
 * directory never replaces that experiment's {@code simulate} nodes), then the
 * child process runs {@code steps} optimiser steps on it with a {@link MemoryProbe} (garbage
 * collected before each step; a step's peak is the kernel's high-water mark, reset at the step's
 * start, or RSS sampled every 2 ms where that mark cannot be reset). A row reports the steady-state step (the
 * largest peak over steps after the first, which also builds graphs and gradient functions):
 * {@code peak_bytes} (resident set size), {@code peak_heap_bytes}, {@code peak_offheap_bytes}
 * (RSS minus committed heap), {@code seconds_per_step} (median after the first), and for context
 * the process baseline before training and the first step's peak.
 *
 * <p>Written to {@code <runDir>/bench/memory.json}: {@code {"rows": [...], "settings": {...}}},
 * the file the report plots. The children (and the official code's driver in
 * {@code bench reference}) get {@code OMP_WAIT_POLICY=PASSIVE} and otherwise the allocator's
 * defaults: an earlier {@code MALLOC_MMAP_THRESHOLD_=65536}, which made freed buffers leave the RSS
 * at once for the sampled peaks, is not needed with the kernel's high-water mark and slowed torch's
 * CNN forward on 4×2×64×64 from 0.024–0.051 s to 0.247–0.255 s (its training steps 5–21×, deqbench's 3–4.4×), so the
 * reference benchmark's time ratios flattered deqbench.
 */
public final class MemoryScaling {
    /** Where the table goes, relative to the run directory. */
    public static final String FILE = "bench/memory.json";
    /** The benchmark's own run store for its simulated data, relative to the run directory. */
    public static final String DATA_DIR = "bench/memory-data";
    /** The iteration counts of the paper's comparison when none are given. */
    public static final List<Integer> DEFAULT_ITERATIONS = List.of(1, 2, 5, 10);
    /** {@code peak_source} of a row whose step peaks are the kernel's high-water mark, reset per step. */
    public static final String PEAK_EXACT = "VmHWM reset at each step";
    /** {@code peak_source} of a row whose step peaks are sampled (the mark cannot be reset). */
    public static final String PEAK_SAMPLED = "RSS sampled every 2 ms";
    /** Environment of every child. */
    public static final Map<String, String> CHILD_ENVIRONMENT = Map.of("OMP_WAIT_POLICY", "PASSIVE");

    private MemoryScaling() {
    }

    /** One configuration: a method of the spec at K iterations. */
    public record Config(String method, int iterations) {
        /** {@code method:K}, the child's argument. */
        public String key() {
            return method + ":" + iterations;
        }

        public static Config parse(String s) {
            int i = s.lastIndexOf(':');
            if (i <= 0) {
                throw new IllegalArgumentException("expected <method>:<iterations>, found '" + s + "'");
            }
            return new Config(s.substring(0, i), Integer.parseInt(s.substring(i + 1)));
        }
    }

    /** One measured configuration (the row of memory.json plus context). */
    public record Row(String method, String kind, int iterations, long peakBytes, long peakHeapBytes,
                      long peakOffheapBytes, double secondsPerStep, long baselineBytes, long firstStepPeakBytes,
                      int steps, List<Long> stepPeakBytes, List<Long> stepStartBytes, boolean exactPeaks) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("method", method);
            m.put("kind", kind);
            m.put("iterations", iterations);
            m.put("peak_bytes", peakBytes);
            m.put("peak_heap_bytes", peakHeapBytes);
            m.put("peak_offheap_bytes", peakOffheapBytes);
            m.put("seconds_per_step", secondsPerStep);
            m.put("baseline_bytes", baselineBytes);
            m.put("peak_above_baseline_bytes", peakBytes - baselineBytes);
            m.put("first_step_peak_bytes", firstStepPeakBytes);
            m.put("steps", steps);
            m.put("step_peak_bytes", stepPeakBytes);
            m.put("step_start_bytes", stepStartBytes);
            m.put("peak_source", exactPeaks ? PEAK_EXACT : PEAK_SAMPLED);
            return m;
        }
    }

    /**
     * Simulates the spec's first task into {@value #DATA_DIR} (skipped when up to date), then measures
     * every (method, K) in its own process and writes {@value #FILE}.
     *
     * @param child the command line of a child that measures one configuration and writes its row
     *              as JSON to the given file: {@code child.apply(config, outFile)}
     */
    public static Path run(Path specFile, Path runDir, List<Integer> iterations, int steps,
                           ChildCommand child, PrintStream log) throws Exception {
        ExperimentSpec spec = SpecLoader.load(specFile);
        TaskSpec task = firstTask(spec, specFile);
        NodeExecutor.run(new SimulateStage(), specFile, dataStore(runDir), task.name(), null, false);
        Path work = Files.createDirectories(runDir.resolve("bench").resolve("memory-rows"));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (MethodSpec m : spec.methods()) {
            for (int k : iterations) {
                Config c = new Config(m.name(), k);
                Path out = work.resolve(m.name() + "-" + k + ".json");
                Files.deleteIfExists(out);
                List<String> cmd = child.command(c, out);
                log.printf("memory %-10s K=%-3d ...%n", m.name(), k);
                ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
                pb.environment().putAll(CHILD_ENVIRONMENT);
                int code = pb.start().waitFor();
                if (code == 2) {
                    // the child refused the configuration and said why (above); a bad input, not a crash
                    throw new IllegalArgumentException("memory measurement of " + c.key()
                            + " was refused (exit code 2); its error is printed above");
                }
                if (code != 0 || !Files.isRegularFile(out)) {
                    throw new IllegalStateException("memory measurement of " + c.key() + " failed (exit code " + code
                            + "); command: " + String.join(" ", cmd));
                }
                Map<String, Object> row = RunStore.JSON.readValue(out.toFile(), new TypeReference<>() { });
                rows.add(row);
                log.printf("memory %-10s K=%-3d peak %6.0f MiB (above baseline %6.0f MiB), %.2f s/step%n", m.name(), k,
                        ((Number) row.get("peak_bytes")).doubleValue() / (1 << 20),
                        ((Number) row.get("peak_above_baseline_bytes")).doubleValue() / (1 << 20),
                        ((Number) row.get("seconds_per_step")).doubleValue());
            }
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("rows", rows);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("spec", specFile.toString());
        settings.put("task", task.name());
        settings.put("image_size", task.size());
        settings.put("iterations", iterations);
        settings.put("steps", steps);
        settings.put("child_environment", CHILD_ENVIRONMENT);
        settings.put("peak", "largest per-step RSS peak after the first step; the kernel's high-water mark reset at "
                + "each step (else RSS sampled every 2 ms), garbage collected before each step");
        settings.put("equilibrium_iterations", "forward and backward fixed-point iterations capped at K with "
                + "tolerance 0 (every solve runs exactly K iterations)");
        doc.put("settings", settings);
        doc.put("ratios_at_largest_k", ratios(rows, iterations.stream().mapToInt(Integer::intValue).max().orElse(0)));
        Path file = runDir.resolve(FILE);
        Files.createDirectories(file.getParent());
        RunStore.JSON.writeValue(file.toFile(), doc);
        return file;
    }

    /** The benchmark's own run store below {@code runDir}. */
    private static Path dataStore(Path runDir) {
        return runDir.resolve(DATA_DIR);
    }

    /** Builds a child's command line. */
    @FunctionalInterface
    public interface ChildCommand {
        List<String> command(Config config, Path out);
    }

    /** Peak (and peak above baseline) of every method divided by the smallest, at K = {@code k}. */
    static Map<String, Object> ratios(List<Map<String, Object>> rows, int k) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Map<String, Object>> atK = rows.stream().filter(r -> ((Number) r.get("iterations")).intValue() == k).toList();
        if (atK.size() < 2) {
            return out;
        }
        Map<String, Object> lowest = atK.stream().min((a, b) -> Long.compare(((Number) a.get("peak_bytes")).longValue(),
                ((Number) b.get("peak_bytes")).longValue())).orElseThrow();
        out.put("iterations", k);
        out.put("relative_to", lowest.get("method"));
        for (Map<String, Object> r : atK) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("peak", ((Number) r.get("peak_bytes")).doubleValue() / ((Number) lowest.get("peak_bytes")).doubleValue());
            m.put("peak_above_baseline", ((Number) r.get("peak_above_baseline_bytes")).doubleValue()
                    / ((Number) lowest.get("peak_above_baseline_bytes")).doubleValue());
            out.put((String) r.get("method"), m);
        }
        return out;
    }

    private static TaskSpec firstTask(ExperimentSpec spec, Path specFile) {
        if (spec.tasks().isEmpty()) {
            throw new IllegalArgumentException(specFile + ": the memory benchmark needs one task (tasks[0])");
        }
        return spec.tasks().get(0);
    }

    /**
     * Measures one configuration in this process (a child of {@link #run}) and writes its row to
     * {@code out}. The simulated data must already be in {@code runDir}/{@value #DATA_DIR}.
     */
    public static Row measure(Path specFile, Path runDir, Config config, int steps, Path out) throws IOException {
        ExperimentSpec spec = SpecLoader.load(specFile);
        TaskSpec task = firstTask(spec, specFile);
        MethodSpec m = atIterations(spec.method(config.method()), config.iterations());
        SimulatedSplit split = SimulatedData.load(new RunStore(dataStore(runDir)).input("simulate/" + task.name()), "train");
        ExampleSet data = ExampleSet.of(split, 0, split.size(), DataType.FLOAT);
        TrainableModel<ExampleSet.Batch> model = MethodRegistry.learned(m.kind()).create(m, task,
                RandomStreams.derive(spec.seed(), "memory/" + config.key(), 0));
        TrainerSettings settings = new TrainerSettings(1, m.training().batchSize(), "constant",
                m.training().learningRate(), 0, steps, spec.seed(), null, config.key());
        if (settings.totalSteps(data.size()) < steps) {
            throw new IllegalArgumentException("the memory benchmark needs " + steps + " steps in one epoch; task '"
                    + task.name() + "' has " + data.size() + " training examples at batch size " + m.training().batchSize());
        }
        TrainingResult r;
        long baseline;
        boolean exact;
        List<Long> starts;
        try (MemoryProbe probe = new MemoryProbe(2, true)) {
            r = new Trainer<ExampleSet.Batch>(settings).memory(probe).run(model, data, null);
            baseline = probe.baselineRssBytes();
            exact = probe.exactPeaks();
            starts = probe.stepStartBytes();
        }
        List<StepRecord> s = r.stepRecords();
        List<StepRecord> steady = s.size() > 1 ? s.subList(1, s.size()) : s;
        StepRecord peak = steady.stream().max((a, b) -> Long.compare(a.peakBytes(), b.peakBytes())).orElseThrow();
        double[] secs = steady.stream().mapToDouble(StepRecord::seconds).sorted().toArray();
        Row row = new Row(config.method(), m.kind().key(), config.iterations(), peak.peakBytes(),
                steady.stream().mapToLong(StepRecord::peakHeapBytes).max().orElse(0),
                steady.stream().mapToLong(StepRecord::peakOffHeapBytes).max().orElse(0),
                secs[secs.length / 2], baseline, s.get(0).peakBytes(), s.size(),
                s.stream().map(StepRecord::peakBytes).toList(), starts, exact);
        Files.createDirectories(out.toAbsolutePath().getParent());
        RunStore.JSON.writeValue(out.toFile(), row.json());
        return row;
    }

    /** The method with K iterations: MoDL's unrolled K, an equilibrium method's exact K-iteration solves. */
    static MethodSpec atIterations(MethodSpec m, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("iterations must be ≥ 1, found " + k);
        }
        boolean trained = MethodRegistry.of(m.kind()) instanceof LearnedMethod<?>;
        if (trained && !m.kind().equilibrium()) {
            return new MethodSpec(m.name(), m.kind(), m.lambdas(), m.cgIterations(), k, m.network(), m.deq(),
                    m.training(), m.lipschitz(), m.errorBound(), m.denoiser());
        }
        if (trained) {
            DeqSpec d = m.deq();
            DeqSpec capped = new DeqSpec(d.alpha(), d.lambda(), k, 0.0, d.solver(), d.andersonMemory(), d.backward(),
                    k, 0.0, d.cgIterations());
            return new MethodSpec(m.name(), m.kind(), m.lambdas(), m.cgIterations(), m.iterations(), m.network(), capped,
                    m.training(), m.lipschitz(), m.errorBound(), m.denoiser());
        }
        throw new IllegalArgumentException("method '" + m.name() + "' (" + m.kind().key() + ") has no iteration count the "
                + "memory benchmark can vary; use a learned method (unrolled or equilibrium)");
    }

    /** For tests: the row file a child wrote. */
    static Map<String, Object> readRow(Path file) {
        try {
            return RunStore.JSON.readValue(file.toFile(), new TypeReference<>() { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
