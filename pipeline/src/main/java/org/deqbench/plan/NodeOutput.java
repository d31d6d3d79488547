package org.deqbench.plan;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deqbench.store.NodeWriter;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A node's outputs while they are being written: a temporary folder, and the manifest entries
 * accumulated so far. {@link #commit()} writes {@code manifest.json} and the completion marker and
 * renames the folder into place; until then nothing is visible under the node's id.
 */
public final class NodeOutput implements NodeWriter {
    private final RunStore store;
    private final PlanNode node;
    private final Path dir;
    private final List<ManifestEntry> entries = new ArrayList<>();
    private final Map<String, Object> conventions = new LinkedHashMap<>();
    private final long started = System.currentTimeMillis();
    private final Map<String, String> inputs;
    private boolean committed;

    NodeOutput(RunStore store, PlanNode node, Path dir, Map<String, String> inputs) {
        this.store = store;
        this.node = node;
        this.dir = dir;
        this.inputs = inputs;
    }

    /** The temporary folder; files written here directly must be declared with {@link #addFile}. */
    @Override
    public Path dir() {
        return dir;
    }

    public PlanNode node() {
        return node;
    }

    /**
     * Writes an array as {@code .npy} (readable by numpy.load) and lists it in the manifest.
     *
     * @throws FiniteValues.NonFiniteValueException when a floating-point array holds NaN or ±∞: no node completes
     *                                 with them
     */
    @Override
    public Path writeArray(String file, INDArray array, String role, String description) {
        Path p = resolve(file);
        FiniteValues.requireFinite(array, p + " (" + role + " of node " + node.id() + ")");
        try {
            Nd4j.writeAsNumpy(array, p.toFile());
        } catch (IOException e) {
            throw new NodeOutputError(p, "cannot write array", e);
        }
        entries.add(new ManifestEntry(file, role, Arrays.stream(array.shape()).boxed().toList(),
                dtypeName(array), description));
        return p;
    }

    /**
     * Writes a value as pretty JSON and lists it in the manifest.
     *
     * @throws FiniteValues.NonFiniteValueException when a number in it is NaN or ±∞ (write null for "undefined")
     */
    @Override
    public Path writeJson(String file, Object value, String role, String description) {
        Path p = resolve(file);
        FiniteValues.requireFinite((com.fasterxml.jackson.databind.JsonNode) RunStore.JSON.valueToTree(value), p + " (" + role + " of node " + node.id() + ")");
        try {
            RunStore.JSON.writeValue(p.toFile(), value);
        } catch (IOException e) {
            throw new NodeOutputError(p, "cannot write JSON", e);
        }
        entries.add(new ManifestEntry(file, role, null, "json", description));
        return p;
    }

    /**
     * Lists a file the caller wrote itself into {@link #dir()} (a PNG, a model, a CSV …). Its shape
     * (and an array's dtype) is read from the file ({@link FileShape}): a model's {@code .npy}
     * weights are listed like any other array.
     */
    @Override
    public Path addFile(String file, String role, String format, String description) {
        Path p = dir.resolve(file);
        if (!Files.isRegularFile(p)) {
            throw new NodeOutputError(p, "declared in the manifest but not written", null);
        }
        FileShape shape;
        try {
            shape = FileShape.of(p);
        } catch (IOException | RuntimeException e) {
            // Listed without a shape: the stage that reads it reports the damage, naming the file.
            shape = new FileShape(null, null);
        }
        entries.add(new ManifestEntry(file, role, shape.shape(), shape.dtype() != null ? shape.dtype() : format, description));
        return p;
    }

    /** A convention recorded once for all files (e.g. {@code complex_layout}, {@code fft}). */
    public void convention(String key, Object value) {
        conventions.put(key, value);
    }

    /** Path for a new file inside the temporary folder, creating parent folders. */
    @Override
    public Path resolve(String file) {
        Path p = dir.resolve(file);
        try {
            Files.createDirectories(p.getParent());
        } catch (IOException e) {
            throw new NodeOutputError(p, "cannot create folder", e);
        }
        return p;
    }

    /**
     * Writes the manifest (with every file's SHA-256) and the marker (with the inputs' manifest
     * hashes and the code version), then atomically moves the folder into place.
     */
    public Path commit() {
        if (committed) {
            throw new IllegalStateException("node " + node.id() + " already committed");
        }
        try {
            Map<String, String> sha = new java.util.TreeMap<>();
            try (var walk = Files.walk(dir)) {
                for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
                    String rel = dir.relativize(f).toString().replace(File.separatorChar, '/');
                    if (!rel.equals(RunStore.MANIFEST) && !rel.equals(RunStore.MARKER)) {
                        sha.put(rel, ContentHash.of(f));
                    }
                }
            }
            Manifest manifest = new Manifest(node.id(), node.stage(), node.task(), node.method(), node.hash(),
                    conventions, entries, sha);
            Path mf = dir.resolve(RunStore.MANIFEST);
            RunStore.JSON.writeValue(mf.toFile(), manifest);
            CompletionMarker marker = new CompletionMarker(node.id(), node.hash(), store.codeVersion(), inputs,
                    ContentHash.of(mf), Instant.now().toString(), (System.currentTimeMillis() - started) / 1000.0);
            Path m = dir.resolve(RunStore.MARKER);
            RunStore.JSON.writeValue(m.toFile(), marker);
            try (FileChannel ch = FileChannel.open(m, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
        } catch (IOException e) {
            throw new NodeOutputError(dir, "cannot write manifest or completion marker", e);
        }
        Path target = store.nodeDir(node.id());
        store.commit(dir, target);
        committed = true;
        return target;
    }

    /** Deletes the temporary folder (after a failure). */
    public void abandon() {
        if (!committed) {
            try {
                RunStore.deleteTree(dir);
            } catch (IOException ignored) {
                // the next run's cleanAbandoned() removes it
            }
        }
    }

    static String dtypeName(INDArray a) {
        return switch (a.dataType()) {
            case FLOAT -> "float32";
            case DOUBLE -> "float64";
            case HALF -> "float16";
            case INT -> "int32";
            case LONG -> "int64";
            case BYTE -> "int8";
            case UBYTE -> "uint8";
            case BOOL -> "bool";
            default -> a.dataType().name().toLowerCase();
        };
    }

    static File file(Path p) {
        return p.toFile();
    }
}
