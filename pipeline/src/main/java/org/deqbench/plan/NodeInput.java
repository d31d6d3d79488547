package org.deqbench.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.deqbench.store.ArrayFile;
import org.deqbench.store.NodeFiles;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A completed node's folder, read by a downstream node. Errors name the file. */
public final class NodeInput implements NodeFiles {
    private final RunStore store;
    private final String nodeId;
    private final Path dir;
    private Manifest manifest;

    NodeInput(RunStore store, String nodeId, Path dir) {
        this.store = store;
        this.nodeId = nodeId;
        this.dir = dir;
    }

    /**
     * Checks every file of this node against the SHA-256 in its manifest.
     *
     * @throws NodeOutputError naming the first missing, altered or truncated file
     */
    public NodeInput verify() {
        String damage = store.damage(nodeId);
        if (damage != null) {
            throw new NodeOutputError(dir, "input node '" + nodeId + "' is damaged: " + damage
                    + "; rerun it (deqbench run <spec> reruns damaged nodes)", null);
        }
        return this;
    }

    @Override
    public Path dir() {
        return dir;
    }

    public Manifest manifest() {
        if (manifest == null) {
            Path p = dir.resolve(RunStore.MANIFEST);
            try {
                manifest = RunStore.JSON.readValue(p.toFile(), Manifest.class);
            } catch (IOException e) {
                throw new NodeOutputError(p, "missing or corrupt manifest", e);
            }
        }
        return manifest;
    }

    @Override
    public List<ArrayFile> shapedFiles() {
        return manifest().files().stream().filter(e -> e.shape() != null)
                .map(e -> new ArrayFile(e.file(), e.role(), e.shape())).toList();
    }

    /** Reads a {@code .npy} array written by {@link NodeOutput#writeArray}. */
    @Override
    public INDArray array(String file) {
        Path p = existing(file);
        try {
            return Nd4j.createFromNpyFile(p.toFile());
        } catch (RuntimeException e) {
            throw new NodeOutputError(p, "corrupt .npy array", e);
        }
    }

    /** Reads a JSON file. */
    @Override
    public JsonNode json(String file) {
        Path p = existing(file);
        try {
            return RunStore.JSON.readTree(p.toFile());
        } catch (IOException e) {
            throw new NodeOutputError(p, "corrupt JSON", e);
        }
    }

    /** Reads a JSON file into a type. */
    @Override
    public <T> T json(String file, Class<T> type) {
        Path p = existing(file);
        try {
            return RunStore.JSON.readValue(p.toFile(), type);
        } catch (IOException e) {
            throw new NodeOutputError(p, "corrupt JSON for " + type.getSimpleName(), e);
        }
    }

    /** The path of a file that must exist. */
    @Override
    public Path existing(String file) {
        Path p = dir.resolve(file);
        if (!Files.isRegularFile(p)) {
            throw new NodeOutputError(p, "missing input file", null);
        }
        return p;
    }
}
