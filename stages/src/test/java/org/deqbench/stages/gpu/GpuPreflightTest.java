package org.deqbench.stages.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GpuPreflightTest {
    private static final GpuPreflight.NvidiaSmi NEVER = args -> {
        throw new AssertionError("nvidia-smi must not be run, was run with " + args);
    };

    private static GpuPreflight.NvidiaSmi answering(String csv) {
        return args -> new GpuPreflight.NvidiaSmi.Output(0, csv);
    }

    private static GpuPreflight cuda(GpuPreflight.NvidiaSmi smi) {
        return new GpuPreflight(GpuPreflight.CUDA_BACKEND, Map.of(), smi);
    }

    @Test
    void theCpuBackendRunsNothingAndPrintsNothing() {
        assertEquals(GpuPreflight.Outcome.NOTHING, new GpuPreflight(GpuPreflight.CPU_BACKEND, Map.of(), NEVER).check());
    }

    @Test
    void theTestClassPathCarriesTheCpuBackendSoThisProcessChecksNothing() {
        assertEquals(GpuPreflight.CPU_BACKEND, GpuPreflight.selectedBackend(getClass().getClassLoader(), Map.of()));
        assertEquals(GpuPreflight.Outcome.NOTHING, GpuPreflight.forThisProcess().check());
    }

    @Test
    void withBothBackendsTheCudaOneWinsUnlessThePrioritiesSayOtherwise() {
        List<String> both = List.of(GpuPreflight.CPU_BACKEND, GpuPreflight.CUDA_BACKEND);
        assertEquals(GpuPreflight.CUDA_BACKEND, GpuPreflight.choose(both, Map.of()));
        assertEquals(GpuPreflight.CPU_BACKEND, GpuPreflight.choose(both, Map.of("BACKEND_PRIORITY_CPU", "200")));
        assertEquals(GpuPreflight.CUDA_BACKEND, GpuPreflight.choose(List.of(GpuPreflight.CUDA_BACKEND), Map.of()));
        assertEquals("", GpuPreflight.choose(List.of(), Map.of()));
    }

    @Test
    void anH100IsRefusedWithOneLineAndNothingElse() {
        GpuPreflight.Outcome o = cuda(answering("0, NVIDIA H100 80GB HBM3, 9.0, 550.54.15\n")).check();
        assertEquals(List.of(), o.notes());
        String line = o.refusal().orElseThrow();
        assertTrue(line.startsWith("GPU 0 (NVIDIA H100 80GB HBM3) has compute capability 9.0, for which"), line);
        assertTrue(line.contains("3.7-3.x, 5.0-8.x") && line.endsWith("or run the CPU image"), line);
    }

    @Test
    void oneUnsupportedGpuAmongTheVisibleOnesRefusesNamingIt() {
        GpuPreflight.Outcome o = cuda(answering("0, NVIDIA A100-SXM4-40GB, 8.0, 550.54.15\n"
                + "1, NVIDIA B200, 10.0, 570.86.10\n")).check();
        assertTrue(o.refusal().orElseThrow().startsWith("GPU 1 (NVIDIA B200) has compute capability 10.0"), o.toString());
    }

    @Test
    void supportedGpusRunAndAreNamedInOneNoteEach() {
        GpuPreflight.Outcome o = cuda(answering("0, NVIDIA A100-SXM4-40GB, 8.0, 550.54.15\n0, NVIDIA L4, 8.9, 550.54.15\n")).check();
        assertEquals(Optional.empty(), o.refusal());
        assertEquals(2, o.notes().size(), o.toString());
        assertTrue(o.notes().get(0).startsWith("gpu: GPU 0 (NVIDIA A100-SXM4-40GB), compute capability 8.0"), o.toString());
        assertTrue(o.notes().get(1).endsWith("runs its sm_86 kernels"), o.toString());
    }

    @Test
    void anOldDriverIsAWarningNotARefusal() {
        GpuPreflight.Outcome o = cuda(answering("0, Tesla T4, 7.5, 470.82.01\n")).check();
        assertEquals(Optional.empty(), o.refusal());
        assertTrue(o.notes().get(1).startsWith("warning: NVIDIA driver 470.82.01 is older than 510.39.01"), o.toString());
    }

    @Test
    void whenTheCapabilityCannotBeDeterminedItWarnsAndRuns() {
        GpuPreflight.NvidiaSmi missing = args -> {
            throw new IOException("nvidia-smi cannot be started: No such file or directory");
        };
        GpuPreflight.NvidiaSmi oldDriver = args -> new GpuPreflight.NvidiaSmi.Output(2,
                "Field \"compute_cap\" is not a valid field to query.\n\n");
        for (GpuPreflight.NvidiaSmi smi : List.of(missing, oldDriver, answering(""), answering("garbage\n"))) {
            GpuPreflight.Outcome o = cuda(smi).check();
            assertEquals(Optional.empty(), o.refusal());
            assertEquals(1, o.notes().size());
            String w = o.notes().get(0);
            assertTrue(w.startsWith("warning: cannot determine the GPU's compute capability ("), w);
            assertTrue(w.endsWith("check with: nvidia-smi --query-gpu=name,compute_cap --format=csv"), w);
        }
        assertTrue(cuda(oldDriver).check().notes().get(0).contains("exited with 2: Field \"compute_cap\" is not a valid field"));
    }

    @Test
    void nvidiaSmiIsAskedForTheDevicesCudaSees() {
        List<List<String>> calls = new ArrayList<>();
        GpuPreflight.NvidiaSmi recording = args -> {
            calls.add(args);
            return new GpuPreflight.NvidiaSmi.Output(0, "1, Tesla V100-SXM2-16GB, 7.0, 535.104.05\n");
        };
        new GpuPreflight(GpuPreflight.CUDA_BACKEND, Map.of("CUDA_VISIBLE_DEVICES", "1"), recording).check();
        cuda(recording).check();
        assertEquals(List.of(
                List.of("--query-gpu=index,name,compute_cap,driver_version", "--format=csv,noheader", "--id=1"),
                List.of("--query-gpu=index,name,compute_cap,driver_version", "--format=csv,noheader")), calls);
    }

    @Test
    void theCheckCanBeSwitchedOffForOtherLibnd4jBuilds() {
        GpuPreflight.Outcome o = new GpuPreflight(GpuPreflight.CUDA_BACKEND, Map.of("DEQBENCH_GPU_CHECK", "off"), NEVER).check();
        assertEquals(Optional.empty(), o.refusal());
        assertEquals(List.of("warning: DEQBENCH_GPU_CHECK=off: the GPU's compute capability is not checked"), o.notes());
    }
}
