package org.deqbench.train;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.Pointer;

/**
 * Peak memory of this process, per step and overall, from three sources:
 * <ul>
 *   <li>resident set size ({@link #residentBytes()}, {@code VmRSS} from /proc): everything the
 *       process holds in RAM, including ND4J's native arrays (the CPU backend allocates them
 *       with the C allocator, invisible to the JVM heap and to JavaCPP's own counters);</li>
 *   <li>JVM heap in use: the sum of the heap pools' peak usage, which the JVM tracks exactly;</li>
 *   <li>off-heap: RSS minus the heap committed at that moment, i.e. native arrays, native
 *       libraries and JVM internals; and JavaCPP's {@link Pointer#totalBytes()} (memory allocated
 *       through JavaCPP pointers, e.g. on the CUDA backend).</li>
 * </ul>
 * A step's RSS peak is exact where Linux allows it: {@link #stepBegin()} resets the kernel's
 * high-water mark of the resident set ({@code 5} written to {@code /proc/self/clear_refs}) and
 * {@link #stepEnd()} reads it ({@code VmHWM} in {@code /proc/self/status}), so a peak that lasts
 * less than a sampling period is not missed. A daemon thread also samples RSS every
 * {@code periodMillis} between the two (the only source where the high-water mark cannot be
 * reset, and the only one for the heap and off-heap figures). RSS includes native arrays that are garbage but not yet collected; the
 * memory benchmark therefore runs each configuration in a fresh process and collects garbage
 * before each step ({@code collectBeforeStep}).
 */
public final class MemoryProbe implements AutoCloseable {
    /** Peaks over an interval. */
    public record Peaks(long rssBytes, long heapBytes, long offHeapBytes, long javacppBytes) {
        Peaks max(Peaks o) {
            return new Peaks(Math.max(rssBytes, o.rssBytes), Math.max(heapBytes, o.heapBytes),
                    Math.max(offHeapBytes, o.offHeapBytes), Math.max(javacppBytes, o.javacppBytes));
        }

        static final Peaks ZERO = new Peaks(0, 0, 0, 0);
    }

    /** Pause after the pre-step collection for ND4J's deallocator to release what it found. */
    static final long SETTLE_MILLIS = 100;

    private final long periodMillis;
    private final boolean collectBeforeStep;
    private final List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP)
            .toList();
    private final Thread sampler;
    private volatile boolean running = true;
    private volatile boolean inStep;
    private volatile long stepRss;
    private volatile long stepOffHeap;
    private volatile long stepJavacpp;
    private Peaks overall = Peaks.ZERO;
    private long baselineRss;
    private final boolean highWaterMark = HighWaterMark.resettable();
    private final List<Long> stepStarts = new java.util.ArrayList<>();

    /**
     * @param periodMillis      sampling period of RSS during a step
     * @param collectBeforeStep run the garbage collector before each step so that garbage of
     *                          earlier steps does not count towards this step's peak
     */
    public MemoryProbe(long periodMillis, boolean collectBeforeStep) {
        this.periodMillis = Math.max(1, periodMillis);
        this.collectBeforeStep = collectBeforeStep;
        this.sampler = new Thread(this::sampleLoop, "memory-probe");
        sampler.setDaemon(true);
        sampler.start();
    }

    private void sampleLoop() {
        while (running) {
            if (inStep) {
                sample();
            }
            try {
                Thread.sleep(periodMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * The resident set size: {@code VmRSS} from /proc, the same quantity as the high-water mark
     * the step peaks come from (anonymous, file-backed and shared pages), so that a peak and a
     * baseline can be subtracted; JavaCPP's {@link Pointer#physicalBytes()} where /proc has no
     * {@code VmRSS}. ({@code physicalBytes} alone leaves out file-backed pages — on Linux it is
     * the anonymous part — so a high-water mark minus it counted the mapped libraries, 53–60 MiB
     * in a training process, as memory the steps had added.)
     */
    public static long residentBytes() {
        long rss = HighWaterMark.resident();
        return rss >= 0 ? rss : Pointer.physicalBytes();
    }

    private synchronized void sample() {
        long rss = residentBytes();
        long committed = 0;
        for (MemoryPoolMXBean p : heapPools) {
            committed += p.getUsage().getCommitted();
        }
        stepRss = Math.max(stepRss, rss);
        stepOffHeap = Math.max(stepOffHeap, Math.max(0, rss - committed));
        stepJavacpp = Math.max(stepJavacpp, Pointer.totalBytes());
    }

    /** Starts measuring a step. */
    public void stepBegin() {
        if (collectBeforeStep) {
            System.gc();
            try {
                // ND4J frees native buffers on its deallocator thread after the collection has
                // found them; without this pause that memory still counts towards this step
                Thread.sleep(SETTLE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
            stepRss = 0;
            stepOffHeap = 0;
            stepJavacpp = 0;
            long now = residentBytes();
            if (baselineRss == 0) {
                baselineRss = now;
            }
            stepStarts.add(now);
        }
        if (highWaterMark) {
            HighWaterMark.reset();
        }
        sample();
        inStep = true;
    }

    /** Ends the step and returns its peaks. */
    public Peaks stepEnd() {
        inStep = false;
        sample();
        long hwm = highWaterMark ? HighWaterMark.read() : -1;
        long heap = 0;
        synchronized (this) {
            stepRss = Math.max(stepRss, hwm);
            for (MemoryPoolMXBean p : heapPools) {
                heap += p.getPeakUsage().getUsed();
            }
            Peaks step = new Peaks(stepRss, heap, stepOffHeap, stepJavacpp);
            overall = overall.max(step);
            return step;
        }
    }

    /** Peaks over all steps measured so far. */
    public synchronized Peaks overall() {
        return overall;
    }

    /** Whether step peaks come from the kernel's resettable high-water mark (else from sampling only). */
    public boolean exactPeaks() {
        return highWaterMark;
    }

    /**
     * RSS at the start of every step so far (after the collection): what earlier steps left behind,
     * against {@link #baselineRssBytes()}.
     */
    public synchronized List<Long> stepStartBytes() {
        return List.copyOf(stepStarts);
    }

    /** RSS when the first step began: what the process held before training. */
    public synchronized long baselineRssBytes() {
        return baselineRss;
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
    }

    /**
     * The kernel's peak resident set size of this process ({@code VmHWM}), which Linux (≥ 4.0)
     * resets when {@code 5} is written to {@code /proc/self/clear_refs}.
     */
    public static final class HighWaterMark {
        private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");
        private static final Path STATUS = Path.of("/proc/self/status");

        private HighWaterMark() {
        }

        /** Whether the mark can be reset and read here (tries once: resets it). */
        public static boolean resettable() {
            return reset() && read() > 0;
        }

        /** Resets the mark to the current RSS; false where that is not possible. */
        public static boolean reset() {
            try {
                Files.writeString(CLEAR_REFS, "5", StandardCharsets.US_ASCII);
                return true;
            } catch (IOException | SecurityException | UnsupportedOperationException e) {
                return false;
            }
        }

        /** The peak RSS in bytes since the last reset (or process start), -1 when unreadable. */
        public static long read() {
            return statusBytes("VmHWM:");
        }

        /** The RSS in bytes as the peak counts it ({@code VmRSS}: anonymous, file-backed and shared pages), -1 when unreadable. */
        static long resident() {
            return statusBytes("VmRSS:");
        }

        private static long statusBytes(String key) {
            try {
                for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII)) {
                    if (line.startsWith(key)) {
                        String[] f = line.substring(key.length()).trim().split("\\s+");
                        return Long.parseLong(f[0]) * 1024L;
                    }
                }
                return -1;
            } catch (IOException | NumberFormatException | SecurityException e) {
                return -1;
            }
        }
    }
}
