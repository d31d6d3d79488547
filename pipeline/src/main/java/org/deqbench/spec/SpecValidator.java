package org.deqbench.spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every constraint on a spec that the types alone do not carry: ranges, names, which sections go
 * with which problem or method, files that must exist. Returns all problems, each as
 * {@code key.path: expected …, found …}.
 */
public final class SpecValidator {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");
    private static final Set<String> SOURCES = Set.of("phantom", "images", "hdf5");
    private static final Set<String> PHANTOMS = Set.of("ellipses", "shepp-logan", "anatomy");
    private static final Set<String> LAYOUTS = Set.of("fastmri", "modl");
    private static final Set<String> MASKS = Set.of("cartesian", "variable-density");
    private static final List<String> IMAGE_SUFFIXES = List.of("png", "tif", "tiff", "jpg", "jpeg", "bmp", "gif");
    private static final Set<String> ACTIVATIONS = Set.of("relu", "elu", "softplus");
    private static final Set<String> SOLVERS = Set.of("plain", "anderson");
    private static final Set<String> BACKWARDS = Set.of("implicit", "jacobian-free");
    private static final Set<String> SCHEDULES = Set.of("constant", "cosine", "step");
    private static final Set<String> METRICS = Set.of("psnr", "ssim", "nmse");

    private final List<String> problems = new ArrayList<>();
    private final Path baseDir;
    private final MethodCatalog catalog = MethodCatalog.installed();

    private SpecValidator(Path baseDir) {
        this.baseDir = baseDir;
    }

    /** Every task's problem must be one the method runs on (the plan pairs every method with every task). */
    private void supported(String p, MethodSpec m, List<TaskSpec> tasks) {
        if (m.kind() == null || !catalog.runnable().contains(m.kind())) {
            return;
        }
        for (TaskSpec t : tasks) {
            if (t != null && t.name() != null && !m.runsOn(t.name())) {
                continue;
            }
            if (t != null && t.problem() != null && !catalog.supports(m.kind(), t.problem())) {
                problem(p + ".kind", "a method that runs on every task's problem ('" + m.kind().key()
                        + "' does not run on task '" + t.name() + "', problem " + t.problem().key() + ")", m.kind().key());
            }
        }
    }

    /**
     * @param baseDir folder relative to which {@code source.path} is resolved (the spec's folder);
     *                null skips file checks
     */
    public static List<String> validate(ExperimentSpec spec, Path baseDir) {
        SpecValidator v = new SpecValidator(baseDir);
        v.experiment(spec);
        if (v.problems.isEmpty()) {
            v.resources(spec);
        }
        return List.copyOf(v.problems);
    }

    /** Largest dataset (ground truth, measurements, operator parameters, float32) a spec may ask for. */
    static final long MAX_DATA_BYTES = 256L << 30;
    /** Largest activation memory of one training step of a network (forward and backward, float32). */
    static final long MAX_ACTIVATION_BYTES = 64L << 30;
    /** Largest array of one example or of a network's weights: Java arrays are int-indexed. */
    static final long MAX_ARRAY_ELEMENTS = Integer.MAX_VALUE - 8;

    /** a·b·…, saturating at Long.MAX_VALUE instead of overflowing. */
    static long product(long... factors) {
        long r = 1;
        for (long f : factors) {
            try {
                r = Math.multiplyExact(r, f);
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE;
            }
        }
        return r;
    }

    private static String bytes(long b) {
        if (b == Long.MAX_VALUE) {
            return "more than 8 EiB";
        }
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = b;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /**
     * A resource estimate in long arithmetic, after every field is known to be in range: sizes that
     * pass the field checks but would overflow an int-indexed array or exhaust memory are refused
     * here, with the estimate, before anything runs.
     */
    private void resources(ExperimentSpec s) {
        for (int i = 0; i < s.tasks().size(); i++) {
            TaskSpec t = s.tasks().get(i);
            String p = "tasks[" + i + "]";
            long pixels = product(t.size().get(0), t.size().get(1), t.frames());
            long channels = t.problem().complex() ? 2 : 1;
            long coils = t.problem().isMri() && t.mri() != null && t.mri().coils() != null ? t.mri().coils() : 1;
            long measurementValues = product(pixels, coils, 2);
            long exampleArray = Math.max(product(pixels, channels), measurementValues);
            if (exampleArray > MAX_ARRAY_ELEMENTS) {
                problem(p, "one example of at most " + MAX_ARRAY_ELEMENTS + " values", exampleArray
                        + " values (size " + t.size() + " × frames " + t.frames() + " × " + coils + " coil(s) × 2)");
                continue;
            }
            long perExample = product(pixels, channels + 2 * coils + (t.problem().isMri() ? 2 * coils + 1 : 0), 4);
            long examples = (long) t.train() + t.test();
            long data = product(examples, perExample);
            if (data > MAX_DATA_BYTES) {
                problem(p, "a dataset of at most " + bytes(MAX_DATA_BYTES), "an estimated " + bytes(data) + " ("
                        + examples + " examples × " + bytes(perExample) + " each: size " + t.size() + ", frames "
                        + t.frames() + ", " + coils + " coil(s))");
                continue;
            }
            for (int j = 0; j < s.methods().size(); j++) {
                MethodSpec m = s.methods().get(j);
                if (!m.kind().learned() || m.network() == null) {
                    continue;
                }
                NetworkSpec n = m.network();
                String mp = "methods[" + j + "].network";
                long weights = product(n.layers(), n.channels(), n.channels(), n.kernel(), n.kernel());
                if (weights > MAX_ARRAY_ELEMENTS) {
                    problem(mp, "at most " + MAX_ARRAY_ELEMENTS + " weights", "an estimated " + weights + " ("
                            + n.layers() + " layers × " + n.channels() + "² channels × " + n.kernel() + "² kernel)");
                    break;
                }
                long batch = m.training() == null || m.training().batchSize() == null ? 1 : m.training().batchSize();
                long activations = product(batch, pixels, n.channels(), n.layers(), 4, 2);
                if (activations > MAX_ACTIVATION_BYTES) {
                    problem(mp, "activations of at most " + bytes(MAX_ACTIVATION_BYTES) + " per training step on "
                            + p + " (" + t.name() + ")", "an estimated " + bytes(activations) + " (batch " + batch
                            + " × " + pixels + " pixels × " + n.channels() + " channels × " + n.layers()
                            + " layers, forward and backward)");
                }
            }
        }
    }

    private void problem(String path, String expected, Object found) {
        problems.add(path + ": expected " + expected + ", found " + (found instanceof String s ? "'" + s + "'" : found));
    }

    private void experiment(ExperimentSpec s) {
        name("name", s.name());
        if (s.tasks().isEmpty()) {
            problem("tasks", "at least one task", "none");
        }
        if (s.methods().isEmpty()) {
            problem("methods", "at least one method", "none");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < s.tasks().size(); i++) {
            TaskSpec t = s.tasks().get(i);
            String p = "tasks[" + i + "]";
            if (t == null) {
                problem(p, "a task mapping", "nothing");
                continue;
            }
            task(p, t);
            if (t.name() != null && !seen.add(t.name())) {
                problem(p + ".name", "a name not used by another task", t.name());
            }
        }
        seen.clear();
        for (int i = 0; i < s.methods().size(); i++) {
            MethodSpec m = s.methods().get(i);
            String p = "methods[" + i + "]";
            if (m == null) {
                problem(p, "a method mapping", "nothing");
                continue;
            }
            method(p, m);
            supported(p, m, s.tasks());
            trainOn(p, m, s.tasks());
            if (m.name() != null && !seen.add(m.name())) {
                problem(p + ".name", "a name not used by another method", m.name());
            }
        }
        CertifySpec c = s.certify();
        atLeast("certify.power_iterations", c.powerIterations(), 1);
        positive("certify.tolerance", c.tolerance());
        atLeast("certify.images", c.images(), 1);
        AttackSpec a = s.attack();
        for (int i = 0; i < a.eps().size(); i++) {
            Double e = a.eps().get(i);
            if (e == null || !(e > 0) || e > 1) {
                problem("attack.eps[" + i + "]", "a relative perturbation size in (0, 1]", e);
            }
        }
        atLeast("attack.steps", a.steps(), 1);
        atLeast("attack.restarts", a.restarts(), 1);
        if (!(a.stepSize() > 0) || Double.isInfinite(a.stepSize())) {
            problem("attack.step_size", "a finite step size > 0 (relative to the radius)", a.stepSize());
        }
        if (!(a.solverTolerance() > 0 && a.solverTolerance() < 1)) {
            problem("attack.solver_tolerance", "a relative tolerance in (0, 1)", a.solverTolerance());
        }
        atLeast("attack.images", a.images(), 1);
        atLeast("report.examples", s.report().examples(), 0);
        DeploymentSpec d = s.deploymentSettings();
        // an Airflow pool name: letters, digits, '_', '-', '.'
        if (d.gpuPool().isBlank() || !d.gpuPool().matches("[A-Za-z0-9_.-]+")) {
            problem("deployment.gpu_pool", "an Airflow pool name of letters, digits, '_', '-' or '.'", d.gpuPool());
        }
        atLeast("deployment.execution_timeout_minutes", d.executionTimeoutMinutes(), 1);
        atLeast("deployment.max_active_tasks", d.maxActiveTasks(), 1);
        for (Map.Entry<String, Double> e : s.regression().tolerances().entrySet()) {
            if (!METRICS.contains(e.getKey())) {
                problem("regression.tolerances." + e.getKey(), "one of " + METRICS, e.getKey());
            } else if (e.getValue() == null || e.getValue() < 0) {
                problem("regression.tolerances." + e.getKey(), "a tolerance ≥ 0", e.getValue());
            }
        }
    }

    private void task(String p, TaskSpec t) {
        name(p + ".name", t.name());
        if (t.problem() == null) {
            problem(p + ".problem", "one of " + java.util.Arrays.stream(Problem.values()).map(Problem::key).toList(), "nothing");
            return;
        }
        if (t.size().size() != 2 || t.size().stream().anyMatch(x -> x == null || x < 8 || x > 4096)) {
            problem(p + ".size", "[height, width], each between 8 and 4096", t.size());
            return;
        }
        atLeast(p + ".frames", t.frames(), 1);
        if (t.frames() > 1 && t.problem() != Problem.DYNAMIC_MRI && t.problem() != Problem.MRI_3D) {
            problem(p + ".frames", "1 for problem " + t.problem().key() + " (frames are for dynamic-mri and mri-3d)", t.frames());
        }
        if (t.problem() == Problem.MRI_3D && t.frames() != null && t.frames() < 2) {
            problem(p + ".frames", "at least 2 slices for mri-3d (its k-space is a 3D FFT of the volume)", t.frames());
        }
        atLeast(p + ".train", t.train(), 1);
        atLeast(p + ".test", t.test(), 1);
        atLeast(p + ".shard_size", t.shardSize(), 1);
        if (t.noise().sigma() == null || t.noise().sigma() < 0 || t.noise().sigma().isNaN()) {
            problem(p + ".noise.sigma", "a standard deviation ≥ 0", t.noise().sigma());
        }
        source(p + ".source", t);
        if (t.problem().isMri()) {
            mri(p + ".mri", t);
        } else if (t.mri() != null) {
            problem(p + ".mri", "no mri section for problem " + t.problem().key(), "one");
        }
        if (t.blur() != null) {
            BlurSpec b = t.blur();
            if (t.problem() != Problem.DEBLUR && t.problem() != Problem.SUPER_RESOLUTION) {
                problem(p + ".blur", "no blur section for problem " + t.problem().key(), "one");
            } else {
                if (b.kernelSize() == null || b.kernelSize() < 1 || b.kernelSize() % 2 == 0) {
                    problem(p + ".blur.kernel_size", "an odd size ≥ 1", b.kernelSize());
                } else if (b.kernelSize() > Math.min(t.height(), t.width())) {
                    problem(p + ".blur.kernel_size", "at most the image size " + Math.min(t.height(), t.width()), b.kernelSize());
                }
                positive(p + ".blur.sigma", b.sigma());
            }
        }
        if (t.factor() != null) {
            if (t.problem() != Problem.SUPER_RESOLUTION) {
                problem(p + ".factor", "no factor for problem " + t.problem().key(), t.factor());
            } else if (t.factor() < 1) {
                problem(p + ".factor", "an integer ≥ 1", t.factor());
            } else if (t.height() % t.factor() != 0 || t.width() % t.factor() != 0) {
                problem(p + ".factor", "a factor dividing the size " + t.size(), t.factor());
            }
        }
        if (t.missingRatio() != null) {
            if (t.problem() != Problem.INPAINT) {
                problem(p + ".missing_ratio", "no missing_ratio for problem " + t.problem().key(), t.missingRatio());
            } else if (!(t.missingRatio() >= 0 && t.missingRatio() < 1)) {
                problem(p + ".missing_ratio", "a fraction in [0, 1)", t.missingRatio());
            } else if (Math.round(t.missingRatio() * t.height() * t.width()) >= (long) t.height() * t.width()) {
                problem(p + ".missing_ratio", "a fraction that leaves at least one of the " + t.height() * t.width()
                        + " pixels observed", t.missingRatio());
            }
        }
    }

    private void source(String p, TaskSpec t) {
        SourceSpec s = t.source();
        if (!SOURCES.contains(s.type())) {
            problem(p + ".type", "one of " + SOURCES, s.type());
            return;
        }
        switch (s.type()) {
            case "phantom" -> {
                if (!PHANTOMS.contains(s.phantom())) {
                    problem(p + ".phantom", "one of " + PHANTOMS, s.phantom());
                }
            }
            case "images", "hdf5" -> {
                if (s.path() == null || s.path().isBlank()) {
                    problem(p + ".path", "a " + (s.type().equals("images") ? "folder" : "file") + " path", "nothing");
                } else if (baseDir != null) {
                    Path resolved = baseDir.resolve(s.path());
                    boolean ok = s.type().equals("images") ? Files.isDirectory(resolved) : Files.isRegularFile(resolved);
                    if (!ok) {
                        problem(p + ".path", "an existing " + (s.type().equals("images") ? "folder" : "file"), resolved.toString());
                    }
                }
                if (s.type().equals("hdf5") && !LAYOUTS.contains(s.layout())) {
                    problem(p + ".layout", "one of " + LAYOUTS, s.layout());
                }
                if (s.type().equals("hdf5") && t.problem() != Problem.MRI && t.problem() != Problem.SINGLE_COIL_MRI) {
                    problem(p + ".type", "hdf5 sources (2D slices) only for problems mri and single-coil-mri", t.problem().key());
                }
                if (s.order() != null && (!s.type().equals("images") || !SourceSpec.ORDERS.contains(s.order()))) {
                    problem(p + ".order", s.type().equals("images") ? "one of " + SourceSpec.ORDERS
                            : "no order for a " + s.type() + " source (image folders only)", s.order());
                }
                if (s.type().equals("images") && (t.problem() == Problem.DYNAMIC_MRI || t.problem() == Problem.MRI_3D)) {
                    problem(p + ".type", "image folders (2D images) only for 2D problems, not " + t.problem().key(), "images");
                }
                if (s.type().equals("images") && baseDir != null && Files.isDirectory(baseDir.resolve(s.path()))
                        && !hasImage(baseDir.resolve(s.path()))) {
                    problem(p + ".path", "a folder holding at least one image (" + IMAGE_SUFFIXES + ")",
                            "none in " + baseDir.resolve(s.path()));
                }
            }
            default -> throw new AssertionError(s.type());
        }
    }

    private static boolean hasImage(Path folder) {
        try (var files = Files.list(folder)) {
            return files.anyMatch(f -> {
                String n = f.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
                int dot = n.lastIndexOf('.');
                return Files.isRegularFile(f) && dot > 0 && IMAGE_SUFFIXES.contains(n.substring(dot + 1));
            });
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private void mri(String p, TaskSpec t) {
        MriSpec m = t.mri();
        atLeast(p + ".coils", m.coils(), 1);
        if (t.problem() == Problem.SINGLE_COIL_MRI && m.coils() != null && m.coils() != 1) {
            problem(p + ".coils", "1 for single-coil-mri", m.coils());
        }
        if (!MASKS.contains(m.mask())) {
            problem(p + ".mask", "one of " + MASKS, m.mask());
        }
        if (m.acceleration() == null || !(m.acceleration() >= 1)) {
            problem(p + ".acceleration", "an acceleration ≥ 1", m.acceleration());
        } else if (m.mask().equals("cartesian") && t.problem() != Problem.MRI_3D && m.acceleration() > t.width()) {
            problem(p + ".acceleration", "at most the number of phase-encode lines " + t.width()
                    + " (a mask must sample something)", m.acceleration());
        }
        if (m.centreFraction() == null || !(m.centreFraction() >= 0 && m.centreFraction() <= 1)) {
            problem(p + ".centre_fraction", "a fraction in [0, 1]", m.centreFraction());
        }
        // the plane the mask is drawn on: (H, W) per frame, or the (D, W) phase-encode plane in 3D
        long plane = t.problem() == Problem.MRI_3D ? (long) t.frames() * t.width() : (long) t.height() * t.width();
        if (m.samplingRatio() == null || !(m.samplingRatio() > 0 && m.samplingRatio() <= 1)) {
            problem(p + ".sampling_ratio", "a fraction in (0, 1] (a mask must sample something)", m.samplingRatio());
        } else if (m.mask().equals("variable-density") && Math.round(m.samplingRatio() * plane) < 1) {
            problem(p + ".sampling_ratio", "a fraction sampling at least one of " + plane
                    + " k-space points (a mask must sample something)", m.samplingRatio());
        }
        if (t.problem() == Problem.MRI_3D && m.mask().equals("cartesian") && m.acceleration() != null
                && m.acceleration() >= 1 && Math.round(plane / m.acceleration()) < 1) {
            problem(p + ".acceleration", "at most the " + plane + " phase-encode points of the (D, W) plane"
                    + " (a mask must sample something)", m.acceleration());
        }
    }

    /**
     * {@code train_on}: two or more distinct task names of the spec, on a learned method (the
     * baselines choose λ per task and have no model to share), whose tasks share one image domain
     * (channels, frames, height, width) since one network runs on all of them; and no task may be
     * called {@value #JOINT_TASK_NAME}, the name of the shared train node's folder.
     */
    private void trainOn(String p, MethodSpec m, List<TaskSpec> tasks) {
        if (m.trainOn() == null) {
            return;
        }
        String key = p + ".train_on";
        if (m.kind() != null && !m.kind().learned()) {
            problem(key, "no train_on on method '" + m.name() + "': '" + m.kind().key()
                    + "' learns no model to share between tasks (it chooses its weight per task); run it per task",
                    m.trainOn());
            return;
        }
        if (m.trainOn().size() < 2) {
            problem(key, "at least two task names for method '" + m.name() + "' (omit train_on to train per task)",
                    m.trainOn());
        }
        Map<String, TaskSpec> byName = new java.util.LinkedHashMap<>();
        for (TaskSpec t : tasks) {
            if (t != null && t.name() != null) {
                byName.put(t.name(), t);
                if (t.name().equals(JOINT_TASK_NAME)) {
                    problem(key, "no task called '" + JOINT_TASK_NAME + "' when a method sets train_on (it names"
                            + " the shared train node train/" + JOINT_TASK_NAME + "/<method>); rename the task", t.name());
                }
            }
        }
        Set<String> seen = new HashSet<>();
        TaskSpec first = null;
        for (int i = 0; i < m.trainOn().size(); i++) {
            String name = m.trainOn().get(i);
            TaskSpec t = byName.get(name);
            if (t == null) {
                problem(key + "[" + i + "]", "the name of a task of this spec for method '" + m.name() + "', one of "
                        + byName.keySet(), name);
                continue;
            }
            if (!seen.add(name)) {
                problem(key + "[" + i + "]", "each task once for method '" + m.name() + "'", name);
                continue;
            }
            if (first == null) {
                first = t;
            } else if (t.problem() != null && first.problem() != null && !imageDomain(t).equals(imageDomain(first))) {
                problem(key + "[" + i + "]", "a task with the images of task '" + first.name() + "' ("
                        + imageDomain(first) + "), since method '" + m.name() + "' trains one network on all of its"
                        + " tasks; task '" + name + "' has " + imageDomain(t), name);
            }
        }
    }

    /** The kinds that learn one λ per task of {@code train_on} with {@code training.lambda_per_task}. */
    public static final List<MethodKind> PER_TASK_LAMBDA_KINDS = List.of(MethodKind.DEQ_GD, MethodKind.RERG,
            MethodKind.ELDER);

    /** The name of the folder of a jointly trained method's train node: {@code train/joint/<method>}. */
    public static final String JOINT_TASK_NAME = "joint";

    /** A task's image domain as one network sees it: channels (2 for complex MRI, 1 otherwise), frames, H, W. */
    private static String imageDomain(TaskSpec t) {
        int channels = t.problem().complex() ? 2 : 1;
        return "channels " + channels + ", frames " + t.frames() + ", size " + t.size();
    }

    private void method(String p, MethodSpec m) {
        if (m.training() != null) {
            if (!TrainingSpec.LOSSES.contains(m.training().loss())) {
                problem(p + ".training.loss", "one of " + TrainingSpec.LOSSES, m.training().loss());
            }
            if (m.training().lambdaLearningRate() != null) {
                positive(p + ".training.lambda_learning_rate", m.training().lambdaLearningRate());
            }
            if (m.training().separateLambdas()) {
                if (!m.jointlyTrained()) {
                    problem(p + ".training.lambda_per_task", "train_on beside it on method '" + m.name()
                            + "' (one λ per task of train_on; a method trained per task has one λ anyway)", true);
                } else if (m.kind() != null && !PER_TASK_LAMBDA_KINDS.contains(m.kind())) {
                    problem(p + ".training.lambda_per_task", "a method of kind "
                            + PER_TASK_LAMBDA_KINDS.stream().map(MethodKind::key).toList() + " (method '" + m.name()
                            + "' is " + m.kind().key() + ")", true);
                }
            }
        }
        name(p + ".name", m.name());
        if (m.kind() == null) {
            problem(p + ".kind", "one of " + java.util.Arrays.stream(MethodKind.values()).map(MethodKind::key).toList(), "nothing");
            return;
        }
        if (!catalog.runnable().contains(m.kind())) {
            problem(p + ".kind", "a method kind this build runs, one of "
                    + catalog.runnable().stream().map(MethodKind::key).toList(), m.kind().key());
            return;
        }
        for (int i = 0; i < m.lambdas().size(); i++) {
            Double l = m.lambdas().get(i);
            if (l == null || !(l > 0)) {
                problem(p + ".lambdas[" + i + "]", "a weight > 0", l);
            }
        }
        if ((m.kind() == MethodKind.CG_SENSE || m.kind() == MethodKind.TV) && m.lambdas().isEmpty()) {
            problem(p + ".lambdas", "at least one weight to search", "none");
        }
        atLeast(p + ".cg_iterations", m.cgIterations(), 1);
        atLeast(p + ".iterations", m.iterations(), 1);
        if (!m.kind().learned()) {
            for (var e : Map.of("network", m.network() == null, "training", m.training() == null,
                    "deq", m.deq() == null, "lipschitz", m.lipschitz() == null,
                    "error_bound", m.errorBound() == null, "denoiser", m.denoiser() == null).entrySet()) {
                if (!e.getValue()) {
                    problem(p + "." + e.getKey(), "no " + e.getKey() + " section for the non-learned method " + m.kind().key(), "one");
                }
            }
            return;
        }
        NetworkSpec n = m.network();
        atLeast(p + ".network.layers", n.layers(), 2);
        atLeast(p + ".network.channels", n.channels(), 1);
        if (n.kernel() == null || n.kernel() < 1 || n.kernel() % 2 == 0) {
            problem(p + ".network.kernel", "an odd kernel size ≥ 1", n.kernel());
        }
        if (!ACTIVATIONS.contains(n.activation())) {
            problem(p + ".network.activation", "one of " + ACTIVATIONS, n.activation());
        }
        if (m.kind() == MethodKind.ELDER && "relu".equals(n.activation())) {
            problem(p + ".network.activation", "a smooth activation (elu or softplus) for elder", n.activation());
        }
        if (n.lipschitzTarget() == null || !(n.lipschitzTarget() > 0 && n.lipschitzTarget() < 1)) {
            problem(p + ".network.lipschitz_target", "a bound in (0, 1)", n.lipschitzTarget());
        }
        TrainingSpec tr = m.training();
        atLeast(p + ".training.epochs", tr.epochs(), 1);
        atLeast(p + ".training.batch_size", tr.batchSize(), 1);
        positive(p + ".training.learning_rate", tr.learningRate());
        if (!SCHEDULES.contains(tr.schedule())) {
            problem(p + ".training.schedule", "one of " + SCHEDULES, tr.schedule());
        }
        atLeast(p + ".training.checkpoint_every", tr.checkpointEvery(), 1);
        atLeast(p + ".training.max_steps", tr.maxSteps(), 0);
        if (m.deq() != null) {
            DeqSpec d = m.deq();
            positive(p + ".deq.alpha", d.alpha());
            positive(p + ".deq.lambda", d.lambda());
            atLeast(p + ".deq.max_iterations", d.maxIterations(), 1);
            positive(p + ".deq.tolerance", d.tolerance());
            if (!SOLVERS.contains(d.solver())) {
                problem(p + ".deq.solver", "one of " + SOLVERS, d.solver());
            }
            atLeast(p + ".deq.anderson_memory", d.andersonMemory(), 1);
            if (!BACKWARDS.contains(d.backward())) {
                problem(p + ".deq.backward", "one of " + BACKWARDS, d.backward());
            }
            atLeast(p + ".deq.backward_max_iterations", d.backwardMaxIterations(), 1);
            positive(p + ".deq.backward_tolerance", d.backwardTolerance());
            atLeast(p + ".deq.cg_iterations", d.cgIterations(), 1);
        }
        if (m.lipschitz() != null) {
            LipschitzSpec l = m.lipschitz();
            if (m.kind() != MethodKind.MOL_LR) {
                problem(p + ".lipschitz", "no lipschitz section for method kind " + m.kind().key(), "one");
            }
            positive(p + ".lipschitz.t", l.t());
            positive(p + ".lipschitz.e", l.e());
            if (l.t() != null && l.e() != null && l.e() >= l.t()) {
                problem(p + ".lipschitz.e", "e < t = " + l.t(), l.e());
            }
            if (l.beta() == null || l.beta() < 0) {
                problem(p + ".lipschitz.beta", "a weight ≥ 0", l.beta());
            }
            atLeast(p + ".lipschitz.ascent_steps", l.ascentSteps(), 0);
            positive(p + ".lipschitz.perturbation", l.perturbation());
            if (!LipschitzSpec.ASCENTS.contains(l.ascent())) {
                problem(p + ".lipschitz.ascent", "one of " + LipschitzSpec.ASCENTS, l.ascent());
            }
            positive(p + ".lipschitz.ascent_learning_rate", l.ascentLearningRate());
        }
        denoiser(p, m);
        if (m.errorBound() != null) {
            if (m.kind() != MethodKind.RERG && m.kind() != MethodKind.DEQ_GD) {
                problem(p + ".error_bound", "no error_bound section for method kind " + m.kind().key(), "one");
            }
            Double w = m.errorBound().weight();
            if (w == null || !(w >= 0) || w.isInfinite()) {
                problem(p + ".error_bound.weight", "a weight ≥ 0", w);
            }
            String t = m.errorBound().training();
            if (!ErrorBoundSpec.TRAININGS.contains(t)) {
                problem(p + ".error_bound.training", "one of " + ErrorBoundSpec.TRAININGS, t);
            } else if (m.kind() == MethodKind.DEQ_GD && !m.errorBound().boundTraining()) {
                problem(p + ".error_bound.training", "'" + ErrorBoundSpec.BOUND + "' for deq-gd (the bound as a"
                        + " regulariser at the fixed point is kind rerg)", t);
            } else if (m.kind() == MethodKind.RERG && m.errorBound().boundTraining()) {
                problem(p + ".error_bound.training", "'" + ErrorBoundSpec.FIXED_POINT + "' for rerg (bound-only"
                        + " training is kind deq-gd with error_bound.training: bound)", t);
            }
            if (m.errorBound().trainsDenominator() && !m.errorBound().boundTraining()) {
                problem(p + ".error_bound.denominator", "false unless error_bound.training is '"
                        + ErrorBoundSpec.BOUND + "' (only bound training trains the denominator)", true);
            }
        }
        if ((m.kind() == MethodKind.DEQ_GD || m.kind() == MethodKind.RERG) && m.deq() != null && m.deq().alpha() != null
                && !(m.deq().alpha() < 2)) {
            problem(p + ".deq.alpha", "a gradient step η in (0, 2) for " + m.kind().key(), m.deq().alpha());
        }
    }

    private void denoiser(String p, MethodSpec m) {
        if (m.denoiser() == null) {
            return;
        }
        if (m.kind() != MethodKind.PNP && m.kind() != MethodKind.RED) {
            problem(p + ".denoiser", "no denoiser section for method kind " + m.kind().key() + " (pnp and red only)", "one");
        }
        positive(p + ".denoiser.sigma", m.denoiser().sigma());
    }

    private void name(String path, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            problem(path, "a name of lower-case letters, digits, '.', '_' or '-'", name == null ? "nothing" : name);
        }
    }

    private void atLeast(String path, Integer value, int min) {
        if (value == null || value < min) {
            problem(path, "an integer ≥ " + min, value);
        }
    }

    private void positive(String path, Double value) {
        if (value == null || !(value > 0) || value.isInfinite()) {
            problem(path, "a number > 0", value);
        }
    }
}
