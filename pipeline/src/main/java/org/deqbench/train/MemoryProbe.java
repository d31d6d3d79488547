package org.deqbench.train;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;
import org.bytedeco.javacpp.Pointer;

/**
 * Peak memory of this process, per step and overall, from three sources:
 * <ul>
 *   <li>resident set size ({@link Pointer#physicalBytes()}, i.e. RSS from /proc): everything the
 *       process holds in RAM, including ND4J's native arrays (the CPU backend allocates them
 *       with the C allocator, invisible to the JVM heap and to JavaCPP's own counters);</li>
 *   <li>JVM heap in use: the sum of the heap pools' peak usage, which the JVM tracks exactly;</li>
 *   <li>off-heap: RSS minus the heap committed at that moment, i.e. native arrays, native
 *       libraries and JVM internals; and JavaCPP's {@link Pointer#totalBytes()} (memory allocated
 *       through JavaCPP pointers, e.g. on the CUDA backend).</li>
 * </ul>
 * A daemon thread samples RSS every {@code periodMillis} between {@link #stepBegin()} and
 * {@link #stepEnd()}. RSS includes native arrays that are garbage but not yet collected; the
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

    private synchronized void sample() {
        long rss = Pointer.physicalBytes();
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
            if (baselineRss == 0) {
                baselineRss = Pointer.physicalBytes();
            }
        }
        sample();
        inStep = true;
    }

    /** Ends the step and returns its peaks. */
    public Peaks stepEnd() {
        inStep = false;
        sample();
        long heap = 0;
        synchronized (this) {
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

    /** RSS when the first step began: what the process held before training. */
    public synchronized long baselineRssBytes() {
        return baselineRss;
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
    }
}
