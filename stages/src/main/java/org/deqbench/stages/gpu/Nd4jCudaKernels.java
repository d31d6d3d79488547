package org.deqbench.stages.gpu;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Which GPUs the CUDA backend of ND4J 1.0.0-M2.1 ({@code nd4j-cuda-11.6}, linux-x86_64) can run
 * on: a pure decision, compute capability in, verdict out.
 *
 * <p>{@code libnd4jcuda.so} in that artifact holds compiled kernels (cubins) for compute
 * capabilities 3.7, 5.0, 5.2, 6.0, 6.1, 7.0, 7.5, 8.0 and 8.6 and no PTX (its {@code .nv_fatbin}
 * section lists only those cubins). A cubin for {@code M.m} runs on devices {@code M.m'} with
 * {@code m' >= m} and on no other major version; without PTX the driver cannot compile kernels for
 * a newer architecture. So the backend runs on 3.7 (K80) and 5.0 to 8.x (Maxwell to Ada: V100 7.0,
 * T4 7.5, A100 8.0, A10/A40/RTX 30 8.6, L4/L40/RTX 40 8.9 on the 8.6 cubins) and fails on Hopper
 * (9.0: H100, H200) and Blackwell (10.x, 12.x) with "no kernel image is available for execution on
 * the device" as soon as the first kernel or device constant is touched.
 */
public final class Nd4jCudaKernels {
    /** The backend this class describes. */
    public static final String BACKEND = "ND4J 1.0.0-M2.1's CUDA backend (nd4j-cuda-11.6)";

    /** Compute capabilities with a cubin in libnd4jcuda.so, ascending. */
    public static final List<ComputeCapability> CUBINS = List.of(
            new ComputeCapability(3, 7), new ComputeCapability(5, 0), new ComputeCapability(5, 2),
            new ComputeCapability(6, 0), new ComputeCapability(6, 1), new ComputeCapability(7, 0),
            new ComputeCapability(7, 5), new ComputeCapability(8, 0), new ComputeCapability(8, 6));

    /**
     * The oldest driver that supports CUDA 11.6 (NVIDIA's CUDA 11.6 release notes, Linux x86-64).
     * Older drivers may still start CUDA 11.6 programs through CUDA's minor-version or forward
     * compatibility, so an older driver is a warning, not a refusal.
     */
    public static final String MIN_DRIVER = "510.39.01";

    /** What to do instead, the same in every refusal. */
    static final String REMEDY = "schedule the job on a GPU with compute capability " + supportedRange()
            + " (e.g. V100, T4, A100, A10, L4, L40) or run the CPU image";

    private Nd4jCudaKernels() {
    }

    /**
     * @param runs    whether the backend has kernels for the device
     * @param cubin   the cubin the device would run, when it runs
     * @param message one line for the log: what was found and, when refused, what to do
     */
    public record Verdict(boolean runs, Optional<ComputeCapability> cubin, String message) {
    }

    /** The cubin a device of capability {@code cc} runs: the newest with the same major and a minor &lt;= its own. */
    public static Optional<ComputeCapability> cubinFor(ComputeCapability cc) {
        return CUBINS.stream().filter(cc::runsCubinFor).max(Comparator.naturalOrder());
    }

    /** Verdict for one device. */
    public static Verdict judge(GpuDevice gpu) {
        ComputeCapability cc = gpu.capability();
        Optional<ComputeCapability> cubin = cubinFor(cc);
        if (cubin.isPresent()) {
            return new Verdict(true, cubin, gpu.label() + ", compute capability " + cc + ", driver "
                    + gpu.driverVersion() + ": " + BACKEND + " runs its sm_" + sm(cubin.get()) + " kernels");
        }
        return new Verdict(false, Optional.empty(), gpu.label() + " has compute capability " + cc + ", for which "
                + BACKEND + " has no kernels (cubins for " + list(CUBINS) + ", no PTX); " + REMEDY);
    }

    /**
     * The supported capabilities as ranges, from {@link #CUBINS}: per major version, from its
     * oldest cubin to any minor; consecutive majors starting at minor 0 merge ("3.7-3.x, 5.0-8.x").
     */
    public static String supportedRange() {
        TreeMap<Integer, Integer> firstMinor = new TreeMap<>();
        for (ComputeCapability c : CUBINS) {
            firstMinor.merge(c.major(), c.minor(), Math::min);
        }
        List<String> ranges = new ArrayList<>();
        Integer start = null;
        Integer last = null;
        for (var e : firstMinor.entrySet()) {
            boolean extends_ = last != null && e.getKey() == last + 1 && e.getValue() == 0;
            if (!extends_) {
                if (start != null) {
                    ranges.add(start + "." + firstMinor.get(start) + "-" + last + ".x");
                }
                start = e.getKey();
            }
            last = e.getKey();
        }
        ranges.add(start + "." + firstMinor.get(start) + "-" + last + ".x");
        return String.join(", ", ranges);
    }

    /**
     * A warning when {@code driverVersion} (nvidia-smi's "535.104.05") is older than
     * {@link #MIN_DRIVER} or cannot be read; empty when it is new enough.
     */
    public static Optional<String> driverWarning(String driverVersion) {
        List<Integer> have = numbers(driverVersion);
        if (have.isEmpty()) {
            return Optional.of("cannot read the NVIDIA driver version '" + driverVersion + "'; CUDA 11.6 needs "
                    + MIN_DRIVER + " or newer");
        }
        List<Integer> need = numbers(MIN_DRIVER);
        for (int i = 0; i < need.size(); i++) {
            int h = i < have.size() ? have.get(i) : 0;
            if (h != need.get(i)) {
                return h > need.get(i) ? Optional.empty() : Optional.of("NVIDIA driver " + driverVersion
                        + " is older than " + MIN_DRIVER + ", the first with CUDA 11.6; the backend may fail to"
                        + " initialise (unless CUDA's forward compatibility package applies): update the node's driver");
            }
        }
        return Optional.empty();
    }

    private static List<Integer> numbers(String version) {
        List<Integer> out = new ArrayList<>();
        for (String p : version.trim().split("\\.")) {
            if (!p.matches("\\d{1,6}")) {
                return List.of();
            }
            out.add(Integer.parseInt(p));
        }
        return out;
    }

    private static String sm(ComputeCapability c) {
        return "" + c.major() + c.minor();
    }

    private static String list(List<ComputeCapability> cs) {
        return cs.stream().map(ComputeCapability::toString).collect(Collectors.joining(", "));
    }
}
