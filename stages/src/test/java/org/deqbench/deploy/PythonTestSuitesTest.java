package org.deqbench.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Runs the Python test suites of the deployment (standard library unittest, no Airflow needed) as
 * part of the Maven build: the DAG files against the Airflow stand-in in dags/tests/stubs, and the
 * CI trigger script against a local HTTP stand-in of the Airflow API, the Dockerfiles and the images'
 * entrypoint without a Docker engine.
 */
class PythonTestSuitesTest {
    private static final Path ROOT = RepositoryLayout.root();
    private static final Pattern RAN = Pattern.compile("Ran (\\d+) tests?");

    private static void unittest(String folder, int atLeast) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("python3", "-m", "unittest", "discover", "-v", "-s", folder, "-t", folder)
                .directory(ROOT.toFile()).redirectErrorStream(true);
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            fail("python3 is needed to test " + folder + " (standard library only) but cannot be started: "
                    + e.getMessage() + "; install it (e.g. apt-get install python3)");
            return;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "python3 -m unittest timed out:\n" + out);
        assertEquals(0, p.exitValue(), "python3 -m unittest discover -s " + folder + " failed:\n" + out);
        Matcher m = RAN.matcher(out);
        assertTrue(m.find() && Integer.parseInt(m.group(1)) >= atLeast,
                "expected at least " + atLeast + " tests in " + folder + ":\n" + out);
        System.out.println("python3 -m unittest discover -s " + folder + ": " + m.group(0) + ", OK");
    }

    @Test
    void dagFilesEqualTheExportedPlansUnderTheAirflowStandIn() throws Exception {
        unittest("dags/tests", 29);
    }

    @Test
    void ciTriggerScriptDrivesTheAirflowApiToAVerdict() throws Exception {
        unittest("ci/tests", 9);
    }

    @Test
    void dockerfilesAndEntrypointMatchWhatThePodsExpect() throws Exception {
        unittest("docker/tests", 8);
    }
}
