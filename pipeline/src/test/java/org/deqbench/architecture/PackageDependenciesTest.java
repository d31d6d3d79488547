package org.deqbench.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layering DESIGN.md asks for, checked on the library's sources: the science packages import
 * neither {@code plan} nor {@code track} (stages in {@code org.deqbench.stage} read inputs, call the
 * science and write outputs and metrics), and {@code plan} and {@code track} do not depend on each
 * other both ways. A dependency is any use of a package's qualified name in code (an import or a
 * fully qualified name), comments excluded.
 */
class PackageDependenciesTest {
    /** The science packages of DESIGN.md §1. */
    static final List<String> SCIENCE = List.of("physics", "data", "solve", "nn", "recon", "train", "certify",
            "attack", "metrics");
    static final Path SOURCES = Path.of("src/main/java/org/deqbench");
    private static final Pattern QUALIFIED = Pattern.compile("\\borg\\.deqbench\\.([a-z][a-z0-9_]*)\\.");
    private static final Pattern COMMENT = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);

    @Test
    void sciencePackagesImportNeitherPlanNorTrack() {
        Map<String, Set<String>> uses = dependencies(SOURCES);
        List<String> offending = new ArrayList<>();
        for (String pkg : SCIENCE) {
            assertTrue(Files.isDirectory(SOURCES.resolve(pkg)), "science package " + pkg + " not found under " + SOURCES);
            for (Map.Entry<String, Set<String>> e : uses.entrySet()) {
                if (e.getKey().startsWith(pkg + "/")) {
                    for (String target : e.getValue()) {
                        if (target.equals("plan") || target.equals("track")) {
                            offending.add(e.getKey() + " -> org.deqbench." + target);
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), offending, "science classes that use plan or track (move that code to org.deqbench.stage)");
    }

    @Test
    void planAndTrackDoNotDependOnEachOtherBothWays() {
        Map<String, Set<String>> packages = packageGraph(dependencies(SOURCES));
        boolean planUsesTrack = packages.getOrDefault("plan", Set.of()).contains("track");
        boolean trackUsesPlan = packages.getOrDefault("track", Set.of()).contains("plan");
        assertTrue(!(planUsesTrack && trackUsesPlan), "plan and track import each other: plan -> "
                + packages.get("plan") + ", track -> " + packages.get("track"));
        assertTrue(!trackUsesPlan, "track uses plan; the tracker is the lower layer (plan logs through track.Tracker)");
    }

    @Test
    void theScanSeesImportsAndQualifiedNamesButNotComments() {
        String source = """
                package org.deqbench.train;
                import org.deqbench.plan.NodeContext;
                /** See {@link org.deqbench.track.Tracker}. */
                class X { // org.deqbench.report.Summary in a comment
                    Object y = new org.deqbench.data.SimulatedData[0];
                }
                """;
        assertEquals(Set.of("plan", "data"), usedPackages(source, "train"));
    }

    /** Per source file (path relative to {@code root}), the other org.deqbench packages its code names. */
    static Map<String, Set<String>> dependencies(Path root) {
        Map<String, Set<String>> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String rel = root.relativize(f).toString().replace('\\', '/');
                String own = rel.substring(0, rel.indexOf('/'));
                out.put(rel, usedPackages(Files.readString(f), own));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the sources under " + root.toAbsolutePath(), e);
        }
        assertTrue(out.size() > 100, "expected the library's sources under " + root.toAbsolutePath() + ", found "
                + out.size() + " files");
        return out;
    }

    /** The org.deqbench packages other than {@code own} that {@code source}'s code (not its comments) names. */
    static Set<String> usedPackages(String source, String own) {
        Matcher m = QUALIFIED.matcher(COMMENT.matcher(source).replaceAll(" "));
        Set<String> used = new TreeSet<>();
        while (m.find()) {
            if (!m.group(1).equals(own)) {
                used.add(m.group(1));
            }
        }
        return used;
    }

    /** Package → packages it uses, from the per-file dependencies. */
    static Map<String, Set<String>> packageGraph(Map<String, Set<String>> files) {
        Map<String, Set<String>> out = new TreeMap<>();
        files.forEach((file, targets) -> out.computeIfAbsent(file.substring(0, file.indexOf('/')), k -> new TreeSet<>())
                .addAll(targets));
        return out;
    }
}
