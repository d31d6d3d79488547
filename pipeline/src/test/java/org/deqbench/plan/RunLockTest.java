package org.deqbench.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLockTest {
    @TempDir
    Path dir;

    static final String SPEC = """
            name: locked
            tasks:
              - {name: t, problem: denoise, size: [8, 8], train: 2, test: 2, noise: {sigma: 0.1}}
            methods:
              - {name: zf, kind: zero-filled}
            """;

    private Process slowNode(Path spec, Path runDir, Path release, Map<String, String> env) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                SlowNodeMain.class.getName(), spec.toString(), runDir.toString(), "t", release.toString())
                .redirectErrorStream(true);
        pb.environment().putAll(env);
        return pb.start();
    }

    private static String awaitLine(Process p, String prefix) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        List<String> seen = new ArrayList<>();
        for (String line; (line = r.readLine()) != null; ) {
            if (line.startsWith(prefix)) {
                return line;
            }
            seen.add(line);
        }
        throw new AssertionError("the node process ended without printing '" + prefix + "': " + seen);
    }

    @Test
    void aSecondRunOnALockedDirectoryIsRefusedNamingTheHolder() {
        try (RunLock first = RunLock.exclusive(dir, "deqbench run a.yaml", s -> { })) {
            RunLock.BusyException e = assertThrows(RunLock.BusyException.class,
                    () -> RunLock.exclusive(dir, "deqbench run b.yaml", s -> { }));
            String pid = Long.toString(ProcessHandle.current().pid());
            assertTrue(e.getMessage().contains("pid " + pid), e.getMessage());
            assertTrue(e.getMessage().contains(first.holder().startedAt()), e.getMessage());
            assertTrue(e.getMessage().contains(first.holder().host()), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
            assertThrows(RunLock.BusyException.class, () -> RunLock.forNode(dir, "simulate/t", Map.of(), s -> { }));
        }
        // released: both kinds can be taken again
        try (RunLock again = RunLock.forNode(dir, "simulate/t", Map.of(), s -> { })) {
            assertNotNull(again.holder());
        }
    }

    @Test
    void aLockHeldByAnotherProcessIsRefusedAndItsStaleFileReportedAfterItDies() throws Exception {
        Path spec = dir.resolve("locked.yaml");
        Files.writeString(spec, SPEC);
        Path runDir = dir.resolve("run");
        Process holder = slowNode(spec, runDir, dir.resolve("never"), Map.of());
        try {
            awaitLine(holder, "writing");
            // another process holds simulate/t and the run directory (shared): a run is refused
            RunLock.BusyException e = assertThrows(RunLock.BusyException.class,
                    () -> RunLock.exclusive(runDir, "deqbench run", s -> { }));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
            RunLock.BusyException sameNode = assertThrows(RunLock.BusyException.class,
                    () -> RunLock.forNode(runDir, "simulate/t", Map.of(), s -> { }));
            assertTrue(sameNode.getMessage().contains("pid " + holder.pid()), sameNode.getMessage());
            // the live temporary folder of the other process survives any clean-up
            assertTrue(new RunStore(runDir).cleanAbandoned().isEmpty(), "a live process's folder was removed");
        } finally {
            holder.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        List<String> notices = new ArrayList<>();
        try (RunLock taken = RunLock.forNode(runDir, "simulate/t", Map.of(), notices::add)) {
            assertEquals(1, notices.size(), notices.toString());
            assertTrue(notices.get(0).contains("pid " + holder.pid()) && notices.get(0).contains("ended without"),
                    notices.get(0));
        }
        // the killed process's temporary folder is garbage now
        assertEquals(1, new RunStore(runDir).cleanAbandoned().size());
    }

    @Test
    void twoConcurrentRunsOfOneNodeLeaveNoCorruptNode() throws Exception {
        Path spec = dir.resolve("locked.yaml");
        Files.writeString(spec, SPEC);
        Path runDir = dir.resolve("run");
        Path release = dir.resolve("release");
        Process first = slowNode(spec, runDir, release, Map.of());
        awaitLine(first, "writing");
        Files.createDirectories(dir.resolve("other"));
        Process second = slowNode(spec, runDir, dir.resolve("other/release"), Map.of());
        String refused = awaitLine(second, "busy: ");
        assertEquals(3, second.waitFor());
        Files.writeString(release, "go");
        assertTrue(refused.contains("pid " + first.pid()), refused);
        assertEquals(0, first.waitFor());
        RunStore store = new RunStore(runDir);
        NodeInput node = store.input("simulate/t");
        assertTrue(Files.isRegularFile(node.dir().resolve("first.json")));
        assertEquals("done", Files.readString(node.existing("second.txt")));
        node.verify();
    }
}
