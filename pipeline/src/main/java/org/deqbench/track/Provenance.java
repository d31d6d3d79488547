package org.deqbench.track;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Which code and which image produced a run: the git commit from {@code DEQBENCH_GIT_COMMIT}, else
 * {@code git rev-parse HEAD} when the working directory is a checkout (asked once per process,
 * silently absent otherwise); the container image from {@code DEQBENCH_IMAGE}.
 *
 * @param gitCommit 40-hex commit, or null
 * @param image     image reference, or null
 */
record Provenance(String gitCommit, String image) {
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    private static volatile String detectedCommit;
    private static volatile boolean detected;

    static Provenance detect(Map<String, String> env) {
        String commit = env.get(TrackingEnv.GIT_COMMIT);
        if (commit == null || commit.isBlank()) {
            commit = gitHead();
        }
        String image = env.get(TrackingEnv.IMAGE);
        return new Provenance(commit == null || commit.isBlank() ? null : commit.strip(),
                image == null || image.isBlank() ? null : image.strip());
    }

    private static String gitHead() {
        if (!detected) {
            synchronized (Provenance.class) {
                if (!detected) {
                    detectedCommit = askGit();
                    detected = true;
                }
            }
        }
        return detectedCommit;
    }

    private static String askGit() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(3, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.exitValue() == 0 && COMMIT.matcher(out).matches() ? out : null;
        } catch (IOException e) {
            return null; // no git on this machine
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
