package org.deqbench.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the deployment files live: the repository root is found by walking up from the test's directory. */
final class RepositoryLayout {
    private RepositoryLayout() {
    }

    static Path root() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("mvnw")) && Files.isDirectory(p.resolve("dags"))
                    && Files.isDirectory(p.resolve("k8s"))) {
                return p;
            }
        }
        throw new IllegalStateException("no repository root (a folder with mvnw, dags/ and k8s/) above "
                + Path.of("").toAbsolutePath());
    }
}
