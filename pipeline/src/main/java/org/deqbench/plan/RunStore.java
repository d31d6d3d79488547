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
 * run. A temporary folder's name carries its owner ({@code .tmp-<node>-<pid>@<host>-<random>}), and
 * clean-up never touches a folder whose owner is another live process on this host; the
 * {@link RunLock} keeps processes on other hosts out.
 */
public final class RunStore {
    public static final String MARKER = "_COMPLETE.json";
    public static final String MANIFEST = "manifest.json";
    private static final String TMP = ".tmp-";
    private static final String TRASH = ".trash-";
    /** {@code <pid>@<host>} of this process, part of every temporary folder's name. */
    private static final String OWNER = ProcessHandle.current().pid() + "@" + RunLock.hostName().replace('-', '_');

    /** The JSON mapper for every metadata file the pipeline writes (pretty, stable key order). */
    public static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private final Path root;
    private final boolean checkCodeVersion;

    /** A run store whose nodes are stale when made by other code ({@link CodeVersion}). */
    public RunStore(Path root) {
        this(root, true);
    }

    /**
     * @param checkCodeVersion false for spec-only caching ({@code --ignore-code-version}): a node made
     *                         by other code still counts as up to date
     */
    public RunStore(Path root, boolean checkCodeVersion) {
        this.root = root;
        this.checkCodeVersion = checkCodeVersion;
    }

    public Path root() {
        return root;
    }

    /** The code version recorded in the markers this store writes. */
    String codeVersion() {
        return CodeVersion.current();
    }

    /** The final folder of a node. */
    public Path nodeDir(String nodeId) {
        return root.resolve(nodeId);
    }

    /** The node's completion marker, or null when it is missing or unreadable. */
    public CompletionMarker marker(String nodeId) {
        Path marker = nodeDir(nodeId).resolve(MARKER);
        if (!Files.isRegularFile(marker)) {
            return null;
        }
        try {
            return JSON.readValue(marker.toFile(), CompletionMarker.class);
        } catch (IOException e) {
            return null; // a corrupt marker means "not done"
        }
    }

    /** The marker's hash if the node completed, else null. */
    public String completedHash(String nodeId) {
        CompletionMarker m = marker(nodeId);
        return m == null ? null : m.hash();
    }

    /** Whether the node completed with exactly this plan hash, code and inputs, and is intact. */
    public boolean isComplete(PlanNode node) {
        return staleReason(node) == null;
    }

    /**
     * Why the node is not up to date, in one line naming the file or value that differs, or null
     * when it is: no marker, another plan hash, other code, an input rewritten since, or a file
     * altered or truncated after it was written ({@link #damage}).
     */
    public String staleReason(PlanNode node) {
        CompletionMarker m = marker(node.id());
        if (m == null) {
            return "not run yet";
        }
        if (!node.hash().equals(m.hash())) {
            return "its spec section or an upstream spec changed";
        }
        if (checkCodeVersion && !codeVersion().equals(m.codeVersion())) {
            return "made by other code (" + m.codeVersion() + ", now " + codeVersion() + ")";
        }
        for (String in : node.inputs()) {
            String now = manifestDigest(in);
            if (now == null || !now.equals(m.inputs().get(in))) {
                return "its input " + in + " was rewritten since";
            }
        }
        return damage(node.id());
    }

    /** SHA-256 of a node's {@code manifest.json}, or null when it has none. */
    public String manifestDigest(String nodeId) {
        Path p = nodeDir(nodeId).resolve(MANIFEST);
        try {
            return Files.isRegularFile(p) ? ContentHash.of(p) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Checks a completed node's files against its manifest and marker; null when intact, else one
     * line naming the first file that is missing, altered or truncated.
     */
    public String damage(String nodeId) {
        Path dir = nodeDir(nodeId);
        CompletionMarker m = marker(nodeId);
        if (m == null) {
            return dir.resolve(MARKER) + ": missing or corrupt completion marker";
        }
        Path mf = dir.resolve(MANIFEST);
        try {
            if (!Files.isRegularFile(mf) || !ContentHash.of(mf).equals(m.manifestSha256())) {
                return mf + ": missing, or altered since the node completed";
            }
            Manifest manifest = JSON.readValue(mf.toFile(), Manifest.class);
            for (var e : manifest.sha256().entrySet()) {
                Path f = dir.resolve(e.getKey());
                if (!Files.isRegularFile(f)) {
                    return f + ": missing (listed in " + MANIFEST + ")";
                }
                if (!ContentHash.of(f).equals(e.getValue())) {
                    return f + ": content differs from its SHA-256 in " + MANIFEST
                            + " (altered or truncated after the node wrote it; size now " + Files.size(f) + " bytes)";
                }
            }
            return null;
        } catch (IOException e) {
            return mf + ": unreadable (" + e.getMessage() + ")";
        }
    }

    /** Starts writing a node's outputs into a fresh temporary folder. */
    public NodeOutput begin(PlanNode node) {
        Path target = nodeDir(node.id());
        Path tmp = target.resolveSibling(TMP + target.getFileName() + "-" + OWNER + "-"
                + UUID.randomUUID().toString().substring(0, 8));
        try {
            Files.createDirectories(tmp);
        } catch (IOException e) {
            throw new NodeOutputError(tmp, "cannot create the node's temporary output folder", e);
        }
        Map<String, String> inputs = new java.util.TreeMap<>();
        for (String in : node.inputs()) {
            String d = manifestDigest(in);
            if (d != null) {
                inputs.put(in, d);
            }
        }
        return new NodeOutput(this, node, tmp, inputs);
    }

    /** Reads a completed input node; fails naming the folder if it is missing or incomplete. */
    public NodeInput input(String nodeId) {
        Path dir = nodeDir(nodeId);
        if (completedHash(nodeId) == null) {
            throw new NodeOutputError(dir, "input node '" + nodeId + "' has not completed (no " + MARKER
                    + "); run its stage first, e.g. 'deqbench run <spec>'", null);
        }
        return new NodeInput(this, nodeId, dir);
    }

    /** Atomically replaces the node's folder by the completed temporary one. */
    void commit(Path tmp, Path target) {
        try {
            Files.createDirectories(target.getParent());
            Path trash = null;
            if (Files.exists(target)) {
                trash = target.resolveSibling(TRASH + target.getFileName() + "-" + OWNER + "-"
                        + UUID.randomUUID().toString().substring(0, 8));
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

    /**
     * Removes temporary and trash folders left by killed nodes; returns what was removed. Called by
     * the holder of the run directory's exclusive {@link RunLock}.
     */
    public List<Path> cleanAbandoned() {
        return cleanAbandoned(null);
    }

    /**
     * Removes the temporary and trash folders left by killed runs of one node (all nodes when
     * {@code nodeId} is null), except those of another live process on this host.
     */
    public List<Path> cleanAbandoned(String nodeId) {
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return removed;
        }
        Path parent = nodeId == null ? null : nodeDir(nodeId).getParent();
        String leaf = nodeId == null ? null : nodeDir(nodeId).getFileName().toString();
        try (var walk = Files.walk(root, 4)) {
            for (Path p : walk.filter(Files::isDirectory).toList()) {
                String n = p.getFileName().toString();
                boolean temporary = n.startsWith(TMP) || n.startsWith(TRASH);
                if (!temporary || !Files.exists(p) || ownedByOtherLiveProcess(n)) {
                    continue;
                }
                if (nodeId != null && !(p.getParent().equals(parent)
                        && (n.startsWith(TMP + leaf + "-") || n.startsWith(TRASH + leaf + "-")))) {
                    continue;
                }
                deleteTree(p);
                removed.add(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return removed;
    }

    /** Whether a temporary folder's name names another process of this host that is still alive. */
    static boolean ownedByOtherLiveProcess(String folderName) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("-(\\d+)@([^-]+)-[0-9a-f]{8}$").matcher(folderName);
        if (!m.find()) {
            return false; // written before owners were recorded
        }
        long pid = Long.parseLong(m.group(1));
        String host = m.group(2);
        String myHost = OWNER.substring(OWNER.indexOf('@') + 1);
        return host.equals(myHost) && pid != ProcessHandle.current().pid()
                && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
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
