package org.deqbench.stages;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Drops the "Added differentiated op …" line that SameDiff 1.0.0-M2.1 prints to standard output
 * (not through its logger) for every op each time it builds a gradient graph — thousands of lines
 * per training run — and passes every other line through unchanged.
 */
final class SameDiffChatterFilter extends OutputStream {
    private static final String CHATTER = "Added differentiated op ";
    private final OutputStream target;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    private SameDiffChatterFilter(OutputStream target) {
        this.target = target;
    }

    /** Replaces {@code System.out} by a filtered stream (idempotent). */
    static synchronized void install() {
        if (!(System.out instanceof Filtered)) {
            System.setOut(new Filtered(new SameDiffChatterFilter(System.out)));
        }
    }

    private static final class Filtered extends PrintStream {
        Filtered(OutputStream out) {
            super(out, true, StandardCharsets.UTF_8);
        }
    }

    @Override
    public synchronized void write(int b) throws java.io.IOException {
        line.write(b);
        if (b == '\n') {
            flushLine();
        }
    }

    private void flushLine() throws java.io.IOException {
        String s = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (!s.startsWith(CHATTER)) {
            target.write(s.getBytes(StandardCharsets.UTF_8));
            target.flush();
        }
    }

    @Override
    public synchronized void flush() throws java.io.IOException {
        // Partial lines (progress bars redraw with '\r') go out at once, unless they may still
        // turn out to be chatter.
        String s = line.toString(StandardCharsets.UTF_8);
        if (!s.isEmpty() && !CHATTER.startsWith(s) && !s.startsWith(CHATTER)) {
            target.write(line.toByteArray());
            line.reset();
        }
        target.flush();
    }
}
