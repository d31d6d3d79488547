package org.deqbench.train;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

/** A step's peak resident set size from the kernel's resettable high-water mark. */
class MemoryProbeTest {
    private static final long SIZE = 256L << 20;

    /**
     * 256 MiB of native memory written and freed inside the step: with a sampling period of a
     * minute no sample falls inside it, so only the high-water mark can see it.
     */
    @Test
    void stepPeakCountsNativeMemoryFreedBeforeTheStepEnds() {
        assumeTrue(MemoryProbe.HighWaterMark.resettable(), "the kernel's high-water mark cannot be reset here");
        try (MemoryProbe probe = new MemoryProbe(60_000, false)) {
            assertTrue(probe.exactPeaks());
            probe.stepBegin();
            long before = Pointer.physicalBytes();
            BytePointer p = new BytePointer(SIZE);
            Pointer.memset(p, 1, SIZE);
            p.close();
            long after = Pointer.physicalBytes();
            MemoryProbe.Peaks peaks = probe.stepEnd();
            assertTrue(after < before + SIZE / 2, "the buffer was not returned to the system; the test cannot tell "
                    + "a peak from what is still held (" + before + " -> " + after + ")");
            assertTrue(peaks.rssBytes() >= before + SIZE, "step peak " + peaks.rssBytes() + " below the RSS at the "
                    + "start " + before + " plus the " + SIZE + " bytes written");
            // the next step starts from a reset mark, so the earlier buffer is not its peak. Compared with the
            // first step's peak rather than with the RSS read after the reset: in a large test JVM the RSS moves
            // by tens of MiB between two reads (the heap committing and uncommitting), far less than SIZE / 2
            probe.stepBegin();
            MemoryProbe.Peaks next = probe.stepEnd();
            assertTrue(next.rssBytes() < peaks.rssBytes() - SIZE / 2, "the mark was not reset: " + next.rssBytes()
                    + " vs the first step's peak " + peaks.rssBytes());
        }
    }
}
