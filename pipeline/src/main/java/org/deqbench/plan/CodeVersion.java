package org.deqbench.plan;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The version of the code that produced a node, recorded in its completion marker: a node made by
 * other code is stale (unless the run says {@code --ignore-code-version}).
 *
 * <p>{@value #ENV} when set (an image build may stamp its git commit); otherwise the SHA-256 over
 * deqbench's own code on the class path: the bytes of its jars ({@code deqbench*.jar},
 * {@code pipeline*.jar}, {@code stages*.jar}) and of the {@code .class} files under class
 * directories holding {@code org/deqbench}. Third-party jars are not hashed: they change only with
 * the build, which changes deqbench's jar too.
 */
public final class CodeVersion {
    /** Overrides the computed version, e.g. with the image's git commit. */
    public static final String ENV = "DEQBENCH_CODE_VERSION";

    private static volatile String current;

    private CodeVersion() {
    }

    /** This process's code version. */
    public static String current() {
        String v = current;
        if (v == null) {
            String given = System.getenv(ENV);
            v = given != null && !given.isBlank() ? given.strip() : digest(classPath());
            current = v;
        }
        return v;
    }

    static List<Path> classPath() {
        return Stream.of(System.getProperty("java.class.path", "").split(File.pathSeparator))
                .filter(s -> !s.isBlank()).map(Path::of).toList();
    }

    /** {@code sha256:<first 16 hex digits>} over deqbench's code among {@code entries}. */
    static String digest(List<Path> entries) {
        MessageDigest md = ContentHash.sha256();
        try {
            for (Path e : entries) {
                String name = e.getFileName() == null ? "" : e.getFileName().toString();
                if (Files.isRegularFile(e) && name.endsWith(".jar")
                        && (name.startsWith("deqbench") || name.startsWith("pipeline") || name.startsWith("stages"))) {
                    update(md, name, ContentHash.of(e));
                } else if (Files.isDirectory(e.resolve("org/deqbench"))) {
                    try (Stream<Path> walk = Files.walk(e.resolve("org/deqbench"))) {
                        for (Path c : walk.filter(p -> p.toString().endsWith(".class")).sorted().toList()) {
                            update(md, e.relativize(c).toString(), ContentHash.of(c));
                        }
                    }
                }
            }
        } catch (IOException e) {
            return "unknown";
        }
        return "sha256:" + HexFormat.of().formatHex(md.digest()).substring(0, 16);
    }

    private static void update(MessageDigest md, String name, String hash) {
        md.update((name + "=" + hash + "\n").getBytes(StandardCharsets.UTF_8));
    }

}
