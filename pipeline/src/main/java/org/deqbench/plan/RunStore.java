package org.deqbench.plan;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The run directory: one folder per plan node ({@code <runDir>/<node id>/}). A node's outputs are
 * written into a temporary sibling folder and renamed into place only when complete, with a
 * completion marker ({@value #MARKER}) recording the node's plan hash. A folder without a matching
 * marker does not count as done; a killed node leaves only a temporary folder, removed on the next
 * run.
 */
public final class RunStore {
    public static final String MARKER = "_COMPLETE.json";
    public static final String MANIFEST = "manifest.json";
    private static final String TMP = ".tmp-";
    private static final String TRASH = ".trash-";

    /** The JSON mapper for every metadata file the pipeline writes (pretty, stable key order). */
    public static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private final Path root;

    public RunStore(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** The final folder of a node. */
    public Path nodeDir(String nodeId) {
        return root.resolve(nodeId);
    }

    /** The marker's hash if the node completed, else null. */
    public String completedHash(String nodeId) {
        Path marker = nodeDir(nodeId).resolve(MARKER);
        if (!Files.isRegularFile(marker)) {
            return null;
        }
        try {
            Map<?, ?> m = JSON.readValue(marker.toFile(), Map.class);
            Object h = m.get("hash");
            return h == null ? null : h.toString();
        } catch (IOException e) {
            return null; // a corrupt marker means "not done"
        }
    }

    /** Whether the node completed with exactly this plan hash. */
    public boolean isComplete(PlanNode node) {
        return node.hash().equals(completedHash(node.id()));
    }

    /** Starts writing a node's outputs into a fresh temporary folder. */
    public NodeOutput begin(PlanNode node) {
        Path target = nodeDir(node.id());
        Path tmp = target.resolveSibling(TMP + target.getFileName() + "-" + UUID.randomUUID().toString().substring(0, 8));
        try {
            Files.createDirectories(tmp);
        } catch (IOException e) {
            throw new NodeOutputError(tmp, "cannot create the node's temporary output folder", e);
        }
        return new NodeOutput(this, node, tmp);
    }

    /** Reads a completed input node; fails naming the folder if it is missing or incomplete. */
    public NodeInput input(String nodeId) {
        Path dir = nodeDir(nodeId);
        if (completedHash(nodeId) == null) {
            throw new NodeOutputError(dir, "input node '" + nodeId + "' has not completed (no " + MARKER
                    + "); run its stage first, e.g. 'deqbench run <spec>'", null);
        }
        return new NodeInput(dir);
    }

    /** Atomically replaces the node's folder by the completed temporary one. */
    void commit(Path tmp, Path target) {
        try {
            Files.createDirectories(target.getParent());
            Path trash = null;
            if (Files.exists(target)) {
                trash = target.resolveSibling(TRASH + target.getFileName() + "-" + UUID.randomUUID().toString().substring(0, 8));
                move(target, trash);
            }
            move(tmp, target);
            if (trash != null) {
                deleteTree(trash);
            }
        } catch (IOException e) {
            throw new NodeOutputError(target, "cannot move the completed output into place", e);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    /** Removes temporary and trash folders left by killed nodes; returns what was removed. */
    public List<Path> cleanAbandoned() {
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return removed;
        }
        try (var walk = Files.walk(root, 4)) {
            for (Path p : walk.filter(Files::isDirectory).toList()) {
                String n = p.getFileName().toString();
                if ((n.startsWith(TMP) || n.startsWith(TRASH)) && Files.exists(p)) {
                    deleteTree(p);
                    removed.add(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return removed;
    }

    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
