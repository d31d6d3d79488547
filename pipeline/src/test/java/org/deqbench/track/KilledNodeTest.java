package org.deqbench.track;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM, as Kubernetes sends it to a pod: the node process records KILLED in its run log and in
 * MLflow before it exits. The node runs in a child JVM ({@link KilledNodeMain}); the server is
 * {@link MlflowStandIn}, since no MLflow server can be installed where these tests run. No step
 * depends on how fast the machine is: the signal is sent once the node's run is in MLflow, and
 * every wait is for an event (a line, the server's state, the process's exit) with a deadline far
 * beyond what a busy machine needs.
 */
class KilledNodeTest {
    @TempDir
    Path runDir;

    @Test
    void sigtermRecordsKilledLocallyAndInMlflow() throws Exception {
        try (MlflowStandIn server = new MlflowStandIn()) {
            StringBuilder seen = new StringBuilder();
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    KilledNodeMain.class.getName(), runDir.toString(), server.uri())
                    .redirectErrorStream(true).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                String line;
                while ((line = out.readLine()) != null && !line.equals("ready")) {
                    seen.append(line).append('\n');
                }
                assertEquals("ready", line, "the node process did not start: " + seen);
                // Signal only once the node's run and its metrics are in MLflow: the kill wait then
                // covers the final status alone, not a cold client's first requests on a busy machine.
                assertTrue(server.awaitState(s -> s.runs().stream().anyMatch(r -> "node".equals(r.tags.get("deqbench.role"))
                                && r.metrics.size() == 10), Duration.ofMinutes(2)),
                        "the node's run and metrics never reached MLflow; the node said:\n" + seen
                                + "\nrequests: " + server.requests());
                p.destroy(); // SIGTERM
                try {
                    for (String rest; (rest = out.readLine()) != null; ) { // until the process has exited
                        seen.append(rest).append('\n');
                    }
                } catch (java.io.IOException closedAtExit) {
                    // the JDK may close the pipe when the process exits
                }
                assertTrue(p.waitFor(2, TimeUnit.MINUTES), "the node exits within its kill wait");
            } finally {
                p.destroyForcibly();
            }
            NodeAttempt a = RunLogReader.read(runDir).latest("train/t/m").orElseThrow();
            assertEquals(Tracker.Status.KILLED, a.status().orElseThrow());
            assertEquals("terminated by signal", a.finish().orElseThrow().error());
            assertEquals(10, a.metrics().size());
            List<MlflowStandIn.Run> runs = server.runs().stream().filter(r -> "node".equals(r.tags.get("deqbench.role"))).toList();
            assertEquals(1, runs.size(), "the node said:\n" + seen + "\nrequests: " + server.requests());
            assertEquals("KILLED", runs.get(0).status);
            assertEquals(10, runs.get(0).metrics.size());
            assertEquals("terminated by signal", runs.get(0).tags.get(MlflowDelivery.ERROR_TAG));
        }
    }
}
