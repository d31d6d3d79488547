package org.deqbench.plan;

import java.util.List;
import java.util.Map;

/**
 * A node folder's {@code manifest.json}: which node wrote it, from which hash, every file it holds,
 * and conventions that apply to all of them (complex layout, FFT normalisation, …).
 */
public record Manifest(String node, String stage, String task, String method, String hash,
                       Map<String, Object> conventions, List<ManifestEntry> files) {
    public Manifest {
        // insertion order kept (Map.copyOf's order varies between JVM runs), so that the same
        // outputs always serialise to the same bytes
        conventions = conventions == null ? Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(conventions));
        files = files == null ? List.of() : List.copyOf(files);
    }

    /** The entry for {@code file}, or null. */
    public ManifestEntry entry(String file) {
        return files.stream().filter(e -> e.file().equals(file)).findFirst().orElse(null);
    }

    /** Entries with the given role, in the order written. */
    public List<ManifestEntry> withRole(String role) {
        return files.stream().filter(e -> e.role().equals(role)).toList();
    }
}
