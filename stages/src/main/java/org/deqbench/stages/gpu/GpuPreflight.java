package org.deqbench.stages.gpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.factory.Nd4jBackend;

/**
 * The check every computing command runs before ND4J is touched: when the CUDA backend is the one
 * ND4J will load, ask {@code nvidia-smi} for the visible GPUs and refuse, with one line, to start on
 * a GPU that {@link Nd4jCudaKernels} has no kernels for. Under the CPU backend it does nothing and
 * prints nothing.
 *
 * <p>It must run before ND4J initialises: on such a GPU the CUDA backend fails while initialising or
 * at the first kernel with "no kernel image is available for execution on the device", after a
 * stack trace that does not say which GPUs would work. The capability comes from {@code nvidia-smi}
 * (no GPU library is needed, so the CPU build compiles and runs this code unchanged); when it cannot
 * be determined the command warns and goes on. {@code DEQBENCH_GPU_CHECK=off} skips the check, for
 * a libnd4j built for other architectures.
 */
public final class GpuPreflight {
    /** ND4J's CUDA backend class, as listed in nd4j-cuda's {@code META-INF/services}. */
    public static final String CUDA_BACKEND = "org.nd4j.linalg.jcublas.JCublasBackend";
    /** ND4J's CPU backend class. */
    public static final String CPU_BACKEND = "org.nd4j.linalg.cpu.nativecpu.CpuBackend";

    private static final long SMI_TIMEOUT_SECONDS = 30;

    /** Runs {@code nvidia-smi} with the given arguments. */
    @FunctionalInterface
    public interface NvidiaSmi {
        /** @throws IOException when nvidia-smi cannot be started or does not finish */
        Output run(List<String> args) throws IOException;

        /** Exit code and combined standard output and error. */
        record Output(int exitCode, String text) {
        }
    }

    /**
     * What the check found.
     *
     * @param notes   lines to print before the command runs ("gpu: …", "warning: …"); empty under the CPU backend
     * @param refusal the one line to print instead of running, when the GPU cannot run the backend
     */
    public record Outcome(List<String> notes, Optional<String> refusal) {
        public static final Outcome NOTHING = new Outcome(List.of(), Optional.empty());
    }

    private final String backend;
    private final Map<String, String> env;
    private final NvidiaSmi smi;

    /**
     * @param backend class name of the ND4J backend that will load ({@link #selectedBackend})
     * @param env     environment (DEQBENCH_GPU_CHECK, CUDA_VISIBLE_DEVICES)
     * @param smi     how nvidia-smi is run
     */
    public GpuPreflight(String backend, Map<String, String> env, NvidiaSmi smi) {
        this.backend = backend;
        this.env = env;
        this.smi = smi;
    }

    /** The check for this process: its class path, its environment, the nvidia-smi on its PATH. */
    public static GpuPreflight forThisProcess() {
        Map<String, String> env = System.getenv();
        return new GpuPreflight(selectedBackend(GpuPreflight.class.getClassLoader(), env), env, GpuPreflight::runNvidiaSmi);
    }

    /**
     * The class name of the backend ND4J's {@code Nd4jBackend.load()} will choose, found the way it
     * finds them (the {@code Nd4jBackend} service providers on the class path) without loading any
     * native code: of several, the one with the highest priority ({@code BACKEND_PRIORITY_GPU},
     * default 100, against {@code BACKEND_PRIORITY_CPU}, default 0); empty when there is none.
     */
    public static String selectedBackend(ClassLoader loader, Map<String, String> env) {
        try {
            return choose(ServiceLoader.load(Nd4jBackend.class, loader).stream().map(p -> p.type().getName()).toList(), env);
        } catch (ServiceConfigurationError e) {
            return ""; // a broken provider entry: ND4J's own loading reports it
        }
    }

    /** {@link #selectedBackend} given the provider class names. */
    static String choose(List<String> providers, Map<String, String> env) {
        boolean cuda = providers.contains(CUDA_BACKEND);
        boolean cpu = providers.contains(CPU_BACKEND);
        if (cuda && cpu) {
            return priority(env, "BACKEND_PRIORITY_GPU", 100) >= priority(env, "BACKEND_PRIORITY_CPU", 0)
                    ? CUDA_BACKEND : CPU_BACKEND;
        }
        return cuda ? CUDA_BACKEND : providers.isEmpty() ? "" : providers.get(0);
    }

    private static int priority(Map<String, String> env, String key, int otherwise) {
        try {
            return Integer.parseInt(env.getOrDefault(key, "").trim());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    /** Runs the check. Never throws: what cannot be determined becomes a warning. */
    public Outcome check() {
        if (!CUDA_BACKEND.equals(backend)) {
            return Outcome.NOTHING;
        }
        if ("off".equalsIgnoreCase(env.getOrDefault("DEQBENCH_GPU_CHECK", "").trim())) {
            return new Outcome(List.of("warning: DEQBENCH_GPU_CHECK=off: the GPU's compute capability is not checked"),
                    Optional.empty());
        }
        List<String> args = new ArrayList<>(List.of("--query-gpu=" + GpuDevice.QUERY, "--format=csv,noheader"));
        String visible = env.get("CUDA_VISIBLE_DEVICES");
        if (visible != null && !visible.isBlank()) {
            args.add("--id=" + visible.trim());
        }
        List<GpuDevice> gpus;
        try {
            NvidiaSmi.Output out = smi.run(args);
            if (out.exitCode() != 0) {
                return unknown("nvidia-smi " + String.join(" ", args) + " exited with " + out.exitCode() + ": "
                        + firstLine(out.text()));
            }
            gpus = GpuDevice.parseCsv(out.text());
        } catch (IOException | IllegalArgumentException e) {
            return unknown(e.getMessage());
        }
        if (gpus.isEmpty()) {
            return unknown("nvidia-smi lists no GPU");
        }
        List<String> notes = new ArrayList<>();
        for (GpuDevice gpu : gpus) {
            Nd4jCudaKernels.Verdict v = Nd4jCudaKernels.judge(gpu);
            if (!v.runs()) {
                return new Outcome(List.of(), Optional.of(v.message()));
            }
            notes.add("gpu: " + v.message());
        }
        gpus.stream().map(GpuDevice::driverVersion).distinct()
                .forEach(d -> Nd4jCudaKernels.driverWarning(d).ifPresent(w -> notes.add("warning: " + w)));
        return new Outcome(notes, Optional.empty());
    }

    private static Outcome unknown(String why) {
        return new Outcome(List.of("warning: cannot determine the GPU's compute capability (" + why + "); "
                + Nd4jCudaKernels.BACKEND + " runs only on compute capability " + Nd4jCudaKernels.supportedRange()
                + ", check with: nvidia-smi --query-gpu=name,compute_cap --format=csv"), Optional.empty());
    }

    private static String firstLine(String text) {
        String t = text.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl).strip();
    }

    private static NvidiaSmi.Output runNvidiaSmi(List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("nvidia-smi");
        cmd.addAll(args);
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("nvidia-smi cannot be started: " + e.getMessage()
                    + "; in a container the NVIDIA runtime provides it when NVIDIA_DRIVER_CAPABILITIES includes utility", e);
        }
        p.getOutputStream().close();
        try {
            if (!p.waitFor(SMI_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("nvidia-smi did not answer within " + SMI_TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while waiting for nvidia-smi", e);
        }
        return new NvidiaSmi.Output(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
