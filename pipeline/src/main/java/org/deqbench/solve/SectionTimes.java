package org.deqbench.solve;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Map;

/**
 * Exclusive wall time and call counts of the named parts of a training step, collected on the
 * calling thread while {@linkplain #start() recording} and free otherwise (one thread-local read per
 * section). Sections nest: time spent in an inner section (a CNN evaluation inside an Anderson
 * step, a CG solve inside a fixed-point map) is counted there and not in the enclosing one, so the
 * sections of a step add up to at most its wall time; the remainder is everything unattributed
 * (array copies and allocations, elementwise updates, the optimiser, Java).
 *
 * <p>Used by the step profile benchmark ({@code deqbench bench profile-step}); never by tests of
 * speed.
 */
public final class SectionTimes {
    /** The parts a step is broken into. */
    public enum Section {
        /** N(x) of the CNN. */
        CNN_FORWARD,
        /** N(x) with J^T v (forward + backward pass of the CNN). */
        CNN_VJP,
        /** J t of the CNN (tangent pass; local Lipschitz estimates). */
        CNN_JVP,
        /** Conjugate-gradient solves, including the operator applications inside them. */
        CONJUGATE_GRADIENT,
        /** Anderson acceleration's own work: the least-squares mixing and the history updates. */
        ANDERSON,
        /**
         * A fixed-point map's (forward or backward) own work outside the CNN and CG: elementwise
         * updates, copies, the operator applications outside CG.
         */
        FIXED_POINT_MAP
    }

    private static final ThreadLocal<SectionTimes> CURRENT = new ThreadLocal<>();

    private final Map<Section, long[]> totals = new EnumMap<>(Section.class);
    private final Deque<Object[]> open = new ArrayDeque<>();

    private SectionTimes() {
    }

    /** Starts recording on this thread (replacing any recording in progress) and returns it. */
    public static SectionTimes start() {
        SectionTimes t = new SectionTimes();
        CURRENT.set(t);
        return t;
    }

    /** Stops recording on this thread. */
    public static void stop() {
        CURRENT.remove();
    }

    /** A section to close with try-with-resources; does nothing unless recording. */
    public static Scope enter(Section section) {
        SectionTimes t = CURRENT.get();
        if (t == null) {
            return NOT_RECORDING;
        }
        long now = System.nanoTime();
        Object[] parent = t.open.peek();
        if (parent != null) {
            t.add((Section) parent[0], now - (long) parent[1], 0);
        }
        t.open.push(new Object[] {section, now});
        return t::exit;
    }

    /** {@code f.apply(x)} inside {@code section}. */
    public static <T, R> R timed(Section section, java.util.function.Function<T, R> f, T x) {
        try (Scope ignored = enter(section)) {
            return f.apply(x);
        }
    }

    private void exit() {
        long now = System.nanoTime();
        Object[] top = open.pop();
        add((Section) top[0], now - (long) top[1], 1);
        Object[] parent = open.peek();
        if (parent != null) {
            parent[1] = now;
        }
    }

    private void add(Section section, long nanos, int calls) {
        long[] v = totals.computeIfAbsent(section, s -> new long[2]);
        v[0] += nanos;
        v[1] += calls;
    }

    /** Exclusive seconds per section (sections never entered are absent). */
    public Map<Section, Double> seconds() {
        Map<Section, Double> m = new EnumMap<>(Section.class);
        totals.forEach((s, v) -> m.put(s, v[0] / 1e9));
        return m;
    }

    /** Completed calls per section. */
    public Map<Section, Long> calls() {
        Map<Section, Long> m = new EnumMap<>(Section.class);
        totals.forEach((s, v) -> m.put(s, v[1]));
        return m;
    }

    /** An open section. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    private static final Scope NOT_RECORDING = () -> { };
}
