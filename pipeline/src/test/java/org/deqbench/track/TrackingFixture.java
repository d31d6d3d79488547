package org.deqbench.track;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.deqbench.plan.Plan;
import org.deqbench.plan.PlanNode;

/** Shared pieces of the tracking tests: a tiny plan, short timings, output capture. */
final class TrackingFixture {
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    static final String IMAGE = "registry.example/deqbench:test";

    private TrackingFixture() {
    }

    /** simulate/t → train/t/m → certify/t/m → report, as the planner would order them. */
    static Plan tinyPlan(Path runDir) {
        List<PlanNode> nodes = List.of(
                new PlanNode("simulate/t", "simulate", "t", null, List.of(), "h-sim", List.of()),
                new PlanNode("train/t/m", "train", "t", "m", List.of("simulate/t"), "h-train", List.of()),
                new PlanNode("certify/t/m", "certify", "t", "m", List.of("simulate/t", "train/t/m"), "h-cert", List.of()),
                new PlanNode("report", "report", null, null, List.of("train/t/m", "certify/t/m"), "h-report", List.of()));
        return new Plan("tiny", "tiny.yaml", runDir.toString(), "spec-hash-1", nodes);
    }

    /**
     * Environment for a tracker talking to {@code uri} (null: MLflow unset), with timings short
     * enough for tests yet long enough for a request on a heavily loaded machine (a node makes each
     * request once, so a stalled answer takes its tracking offline): 10 s per request (tests of
     * slow answers set their own), 2 s of retrying in the sync, 20 ms first backoff, 20 ms flushes.
     */
    static Map<String, String> env(String uri) {
        Map<String, String> env = new HashMap<>();
        if (uri != null) {
            env.put(TrackingEnv.TRACKING_URI, uri);
        }
        env.put(TrackingEnv.GIT_COMMIT, COMMIT);
        env.put(TrackingEnv.IMAGE, IMAGE);
        env.put(TrackingEnv.TIMEOUT_SECONDS, "10");
        env.put(TrackingEnv.RETRY_SECONDS, "2");
        env.put(TrackingEnv.BACKOFF_SECONDS, "0.02");
        env.put(TrackingEnv.FLUSH_SECONDS, "0.02");
        env.put(TrackingEnv.PROBE_SECONDS, "60");
        env.put(TrackingEnv.KILL_WAIT_SECONDS, "2");
        return env;
    }

    static Map<String, String> with(Map<String, String> env, Map<String, String> more) {
        Map<String, String> m = new HashMap<>(env);
        m.putAll(more);
        return m;
    }

    /** An address where nothing listens: connections are refused. */
    static String deadUri() {
        try (ServerSocket s = new ServerSocket(0)) {
            return "http://127.0.0.1:" + s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Captures System.out and System.err while open (they are also passed through). */
    static final class Captured implements AutoCloseable {
        private final PrintStream out = System.out;
        private final PrintStream err = System.err;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

        Captured() {
            System.setOut(new PrintStream(new Tee(buf, out), true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(new Tee(buf, err), true, StandardCharsets.UTF_8));
        }

        String text() {
            System.out.flush();
            System.err.flush();
            return buf.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private static final class Tee extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        Tee(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int x) throws IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public synchronized void write(byte[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }

    /** The text of every file under a folder. */
    static String allFiles(Path dir) throws IOException {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                sb.append(p).append('\n').append(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1)).append('\n');
            }
        }
        return sb.toString();
    }
}
