package org.deqbench.stage;

import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deqbench.data.SimulatedData;
import org.deqbench.data.SimulatedSplit;
import org.deqbench.plan.NodeExecutor;
import org.deqbench.plan.RunStore;
import org.deqbench.solve.SectionTimes;
import org.deqbench.train.LearnedMethod;
import org.deqbench.train.TrainableModel;
import org.deqbench.train.MethodRegistry;
import org.deqbench.train.ExampleSet;
import org.deqbench.train.RandomStreams;
import org.deqbench.spec.ExperimentSpec;
import org.deqbench.spec.MethodSpec;
import org.deqbench.spec.SpecLoader;
import org.deqbench.spec.TaskSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where a training step's time goes: a few steps ({@link TrainableModel#lossAndGradients}) of
 * each learned method of a spec on a batch of its first task, broken into the
 * {@link SectionTimes.Section sections} — CNN forward, CNN VJP, CNN JVP, conjugate gradients with
 * the operator inside them, Anderson acceleration, the fixed-point maps' own elementwise work — plus
 * the JVM's garbage-collection time and what is left unattributed (array copies and allocations,
 * loss and barrier arithmetic, Java). Each method runs once per network engine: {@code samediff}
 * (the CNN through SameDiff's session and automatic differentiation, the implementation before the
 * op-by-op one) and {@code direct}, so one run holds a before and an after on the same data.
 *
 * <p>Written as JSON ({@code <runDir>/bench/profile-step.json} by default): settings, environment
 * (threads, load average before and after), and per (method, engine) every step's wall time and
 * sections and the process's CPU time over the step (all threads, native ones included; less
 * sensitive to other jobs' load than wall time), and the medians over the steps after the first (which also builds graphs and fills
 * oneDNN's caches). Timing is wall time on one thread: on a machine shared with other jobs every
 * figure moves with their load, which is recorded.
 */
public final class StepProfile {
    /** Default output, relative to the run directory. */
    public static final String FILE = "bench/profile-step.json";
    /** The benchmark's own store for simulated data, relative to the run directory. */
    public static final String DATA_DIR = "bench/profile-step-data";
    /** Engines measured when none are given: before and after. */
    public static final List<String> DEFAULT_ENGINES = List.of("samediff", "direct");
    private static final String ENGINE_PROPERTY = "deqbench.network.engine";

    /**
     * @param spec     experiment spec; its first task and its learned methods (or {@code methods})
     * @param runDir   where the simulated data and the JSON go
     * @param methods  method names to profile, empty for every learned method
     * @param steps    steps per (method, engine), ≥ 2
     * @param engines  {@code samediff} and/or {@code direct}
     */
    public record Settings(Path spec, Path runDir, List<String> methods, int steps, List<String> engines) {
        public Settings {
            if (steps < 2) {
                throw new IllegalArgumentException("--steps must be at least 2 (the first step is not counted), got "
                        + steps);
            }
            for (String e : engines) {
                if (!e.equals("samediff") && !e.equals("direct")) {
                    throw new IllegalArgumentException("--engines: expected samediff and/or direct, got '" + e + "'");
                }
            }
            methods = List.copyOf(methods);
            engines = List.copyOf(engines);
        }
    }

    private StepProfile() {
    }

    /** Runs the profile and writes it to {@code out}; returns the document. */
    public static Map<String, Object> run(Settings s, Path out, PrintStream log) throws Exception {
        ExperimentSpec spec = SpecLoader.load(s.spec());
        TaskSpec task = spec.tasks().get(0);
        Path store = s.runDir().resolve(DATA_DIR);
        NodeExecutor.run(new SimulateStage(), s.spec(), store, task.name(), null, false);
        SimulatedSplit split = SimulatedData.load(new RunStore(store).input("simulate/" + task.name()), "train");
        ExampleSet data = ExampleSet.of(split, 0, split.size(), DataType.FLOAT);

        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("kind", "step-profile");
        doc.put("created", Instant.now().toString());
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("spec", s.spec().toString());
        settings.put("task", task.name());
        settings.put("image_size", task.size());
        settings.put("steps", s.steps());
        settings.put("engines", s.engines());
        doc.put("settings", settings);
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("omp_num_threads", System.getenv("OMP_NUM_THREADS"));
        env.put("omp_wait_policy", System.getenv("OMP_WAIT_POLICY"));
        env.put("nd4j_max_threads", Nd4j.getEnvironment().maxThreads());
        env.put("available_processors", Runtime.getRuntime().availableProcessors());
        env.put("load_average_before", loadAverage());
        doc.put("environment", env);

        List<Map<String, Object>> rows = new ArrayList<>();
        String previous = System.getProperty(ENGINE_PROPERTY);
        try {
            for (MethodSpec m : spec.methods()) {
                if (!(MethodRegistry.of(m.kind()) instanceof LearnedMethod<?>)
                        || (!s.methods().isEmpty() && !s.methods().contains(m.name()))) {
                    continue;
                }
                for (String engine : s.engines()) {
                    System.setProperty(ENGINE_PROPERTY, engine);
                    rows.add(profile(m, task, data, engine, s.steps(), spec.seed(), log));
                }
            }
        } finally {
            if (previous == null) {
                System.clearProperty(ENGINE_PROPERTY);
            } else {
                System.setProperty(ENGINE_PROPERTY, previous);
            }
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(s.spec() + ": no learned method "
                    + (s.methods().isEmpty() ? "" : "named " + s.methods() + " ") + "to profile");
        }
        doc.put("rows", rows);
        env.put("load_average_after", loadAverage());
        Files.createDirectories(out.toAbsolutePath().getParent());
        RunStore.JSON.writeValue(out.toFile(), doc);
        return doc;
    }

    private static Map<String, Object> profile(MethodSpec m, TaskSpec task, ExampleSet data, String engine, int steps,
                                               long seed, PrintStream log) {
        TrainableModel<ExampleSet.Batch> model = MethodRegistry.learned(m.kind()).create(m, task,
                RandomStreams.derive(seed, "profile-step/" + m.name(), 0));
        int batchSize = Math.min(m.training().batchSize(), data.size());
        int[] indices = new int[batchSize];
        Arrays.setAll(indices, i -> i);
        ExampleSet.Batch batch = data.batch(indices);
        List<Map<String, Object>> records = new ArrayList<>();
        for (int step = 0; step < steps; step++) {
            long gc0 = gcMillis();
            long cpu0 = processCpuNanos();
            SectionTimes times = SectionTimes.start();
            long t0 = System.nanoTime();
            try {
                model.lossAndGradients(batch, step);
            } finally {
                SectionTimes.stop();
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("seconds", wall);
            r.put("process_cpu_seconds", (processCpuNanos() - cpu0) / 1e9);
            Map<String, Object> sections = new LinkedHashMap<>();
            double attributed = 0;
            for (Map.Entry<SectionTimes.Section, Double> e : times.seconds().entrySet()) {
                Map<String, Object> sec = new LinkedHashMap<>();
                sec.put("seconds", e.getValue());
                sec.put("calls", times.calls().get(e.getKey()));
                sections.put(e.getKey().name().toLowerCase(java.util.Locale.ROOT), sec);
                attributed += e.getValue();
            }
            r.put("sections", sections);
            r.put("unattributed_seconds", wall - attributed);
            r.put("gc_seconds", (gcMillis() - gc0) / 1e3);
            records.add(r);
            log.printf("profile %-8s %-8s step %d: %.2f s, CPU %.2f s (%s)%n", m.name(), engine, step, wall,
                    (double) r.get("process_cpu_seconds"), summary(sections));
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("method", m.name());
        row.put("kind", m.kind().key());
        row.put("engine", engine);
        row.put("batch_size", batchSize);
        row.put("median", medians(records.subList(1, records.size())));
        row.put("steps", records);
        return row;
    }

    /** Median over steps of the wall time, each section's time and calls, the remainder and GC. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> medians(List<Map<String, Object>> records) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seconds", median(records.stream().mapToDouble(r -> (double) r.get("seconds")).toArray()));
        m.put("process_cpu_seconds", median(records.stream()
                .mapToDouble(r -> (double) r.get("process_cpu_seconds")).toArray()));
        Map<String, Object> sections = new LinkedHashMap<>();
        for (SectionTimes.Section section : SectionTimes.Section.values()) {
            String key = section.name().toLowerCase(java.util.Locale.ROOT);
            double[] secs = records.stream().mapToDouble(r -> {
                Map<String, Object> sec = (Map<String, Object>) ((Map<String, Object>) r.get("sections")).get(key);
                return sec == null ? 0.0 : (double) sec.get("seconds");
            }).toArray();
            if (Arrays.stream(secs).anyMatch(x -> x > 0)) {
                sections.put(key, median(secs));
            }
        }
        m.put("sections_seconds", sections);
        m.put("unattributed_seconds", median(records.stream()
                .mapToDouble(r -> (double) r.get("unattributed_seconds")).toArray()));
        m.put("gc_seconds", median(records.stream().mapToDouble(r -> (double) r.get("gc_seconds")).toArray()));
        return m;
    }

    @SuppressWarnings("unchecked")
    private static String summary(Map<String, Object> sections) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Object> e : sections.entrySet()) {
            Map<String, Object> sec = (Map<String, Object>) e.getValue();
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(String.format("%s %.2f s/%d", e.getKey(), (double) sec.get("seconds"), (long) sec.get("calls")));
        }
        return b.toString();
    }

    /**
     * CPU time of the whole process (every Java and native thread) in nanoseconds, or 0 where the
     * JVM does not report it: on a machine shared with other jobs it moves less with their load
     * than wall time does.
     */
    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return Math.max(0, os.getProcessCpuTime());
        }
        return 0;
    }

    private static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }

    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    }
}
