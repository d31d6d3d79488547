package org.deqbench.plan;

import java.util.List;
import java.util.Map;

/**
 * A node folder's {@code manifest.json}: which node wrote it, from which hash, every file it holds,
 * conventions that apply to all of them (complex layout, FFT normalisation, …), and the SHA-256 of
 * every file in the folder (declared or not: checkpoints and saved networks too), by which a reader
 * detects a truncated or altered file.
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public record Manifest(String node, String stage, String task, String method, String hash,
                       Map<String, Object> conventions, List<ManifestEntry> files, Map<String, String> sha256) {
    public Manifest {
        sha256 = sha256 == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(sha256));
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
