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

    /**
     * A step's start and its peak are the same quantity: an empty step peaks at about its start.
     * The start once came from JavaCPP's {@code physicalBytes} (anonymous pages only) while the
     * peak, the kernel's mark, counts file-backed pages too, so every peak stood the process's
     * mapped files (its RssFile: 21 MiB in this test's JVM, 53–60 MiB in a training process) above the start. The smallest of three
     * empty steps' gaps must stay below half the file-backed pages.
     */
    @Test
    void anEmptyStepPeaksAtItsStart() throws java.io.IOException {
        assumeTrue(MemoryProbe.HighWaterMark.resettable(), "the kernel's high-water mark cannot be reset here");
        long fileBacked = 0;
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
            if (line.startsWith("RssFile:")) {
                fileBacked = Long.parseLong(line.replaceAll("\\D", "")) * 1024L;
            }
        }
        assertTrue(fileBacked >= 8L << 20, "a JVM maps more than 8 MiB of files, found " + fileBacked);
        try (MemoryProbe probe = new MemoryProbe(60_000, false)) {
            long smallest = Long.MAX_VALUE;
            for (int i = 0; i < 3; i++) {
                probe.stepBegin();
                MemoryProbe.Peaks peaks = probe.stepEnd();
                long start = probe.stepStartBytes().get(i);
                smallest = Math.min(smallest, peaks.rssBytes() - start);
            }
            assertTrue(smallest < fileBacked / 2, "an empty step peaked " + (smallest >> 20) + " MiB above its start; "
                    + "the process maps " + (fileBacked >> 20) + " MiB of files");
        }
    }
}
