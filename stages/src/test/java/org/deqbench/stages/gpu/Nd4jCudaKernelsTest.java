package org.deqbench.stages.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class Nd4jCudaKernelsTest {

    private static Nd4jCudaKernels.Verdict judge(String capability) {
        return Nd4jCudaKernels.judge(new GpuDevice(0, "GPU under test", ComputeCapability.parse(capability), "550.54.15"));
    }

    private static void assertRunsOn(String capability, String cubin) {
        Nd4jCudaKernels.Verdict v = judge(capability);
        assertTrue(v.runs(), capability + ": " + v.message());
        assertEquals(Optional.of(ComputeCapability.parse(cubin)), v.cubin(), capability);
    }

    @Test
    void ampereAdaTuringAndVoltaRunOnTheNewestCubinOfTheirMajorVersion() {
        assertRunsOn("8.6", "8.6"); // A10, A40, RTX 30
        assertRunsOn("8.9", "8.6"); // L4, L40, RTX 40: no sm_89 cubin, the sm_86 one runs
        assertRunsOn("8.0", "8.0"); // A100
        assertRunsOn("7.5", "7.5"); // T4
        assertRunsOn("7.0", "7.0"); // V100
        assertRunsOn("3.7", "3.7"); // K80
        assertEquals("GPU 0 (GPU under test), compute capability 8.9, driver 550.54.15: ND4J 1.0.0-M2.1's CUDA "
                + "backend (nd4j-cuda-11.6) runs its sm_86 kernels", judge("8.9").message());
    }

    @Test
    void hopperIsRefusedWithOneLineSayingWhatWasFoundWhatRunsAndWhatToDo() {
        Nd4jCudaKernels.Verdict v = Nd4jCudaKernels.judge(
                new GpuDevice(0, "NVIDIA H100 80GB HBM3", new ComputeCapability(9, 0), "550.54.15"));
        assertFalse(v.runs());
        assertEquals(Optional.empty(), v.cubin());
        assertEquals("GPU 0 (NVIDIA H100 80GB HBM3) has compute capability 9.0, for which ND4J 1.0.0-M2.1's CUDA "
                + "backend (nd4j-cuda-11.6) has no kernels (cubins for 3.7, 5.0, 5.2, 6.0, 6.1, 7.0, 7.5, 8.0, 8.6, "
                + "no PTX); schedule the job on a GPU with compute capability 3.7-3.x, 5.0-8.x (e.g. V100, T4, A100, A10, "
                + "L4, L40) or run the CPU image", v.message());
        assertFalse(v.message().contains("\n"), "one line");
    }

    @Test
    void blackwellAndKeplerBelowTheK80AreRefused() {
        for (String cc : List.of("9.0", "10.0", "12.0", "3.5", "3.0", "2.1", "4.0")) {
            Nd4jCudaKernels.Verdict v = judge(cc);
            assertFalse(v.runs(), cc);
            assertTrue(v.message().contains("compute capability " + cc + ", for which"), v.message());
            assertTrue(v.message().endsWith("or run the CPU image"), v.message());
        }
    }

    @Test
    void everyCubinRunsOnItsOwnCapabilityAndNoCubinOnAnotherMajorVersion() {
        for (ComputeCapability c : Nd4jCudaKernels.CUBINS) {
            assertEquals(Optional.of(c), Nd4jCudaKernels.cubinFor(c), c.toString());
            assertEquals(Optional.empty(), Nd4jCudaKernels.cubinFor(new ComputeCapability(c.major() + 20, c.minor())));
        }
        assertEquals(Optional.of(new ComputeCapability(5, 2)), Nd4jCudaKernels.cubinFor(new ComputeCapability(5, 3)));
        assertEquals(Optional.of(new ComputeCapability(7, 0)), Nd4jCudaKernels.cubinFor(new ComputeCapability(7, 2)));
    }

    @Test
    void supportedRangeIsDerivedFromTheCubins() {
        assertEquals("3.7-3.x, 5.0-8.x", Nd4jCudaKernels.supportedRange());
    }

    @Test
    void driversOlderThanTheFirstCuda116DriverGetAWarning() {
        assertEquals(Optional.empty(), Nd4jCudaKernels.driverWarning("510.39.01"));
        assertEquals(Optional.empty(), Nd4jCudaKernels.driverWarning("535.104.05"));
        assertEquals(Optional.empty(), Nd4jCudaKernels.driverWarning("510.40"));
        assertTrue(Nd4jCudaKernels.driverWarning("470.82.01").orElseThrow().contains("older than 510.39.01"));
        assertTrue(Nd4jCudaKernels.driverWarning("510.39").isPresent());
        assertTrue(Nd4jCudaKernels.driverWarning("n/a").orElseThrow().contains("cannot read"));
    }

    @Test
    void capabilitiesParseAsNvidiaSmiPrintsThem() {
        assertEquals(new ComputeCapability(12, 0), ComputeCapability.parse(" 12.0 "));
        assertTrue(new ComputeCapability(8, 9).compareTo(new ComputeCapability(9, 0)) < 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ComputeCapability.parse("sm_86"));
        assertTrue(e.getMessage().contains("found 'sm_86'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ComputeCapability.parse("8"));
    }

    @Test
    void nvidiaSmiCsvLinesBecomeDevices() {
        List<GpuDevice> gpus = GpuDevice.parseCsv("0, NVIDIA A100-SXM4-40GB, 8.0, 535.104.05\n"
                + "1, Odd, Name, 9.0, 535.104.05\n\n");
        assertEquals(List.of(new GpuDevice(0, "NVIDIA A100-SXM4-40GB", new ComputeCapability(8, 0), "535.104.05"),
                new GpuDevice(1, "Odd, Name", new ComputeCapability(9, 0), "535.104.05")), gpus);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GpuDevice.parseCsv("0, NVIDIA A100, [N/A], 535.104.05"));
        assertTrue(e.getMessage().contains("'0, NVIDIA A100, [N/A], 535.104.05'"), e.getMessage());
    }
}
