package org.deqbench.plan;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The locks that keep two processes from writing one run directory at once.
 *
 * <ul>
 *   <li>{@code deqbench run} holds the <b>exclusive</b> lock of the run directory
 *       ({@value #RUN_LOCK}) for the whole run, and hands it to the node processes it starts
 *       through {@value #TOKEN_ENV} (the token written in the lock file).</li>
 *   <li>A stage executable started on its own (an Airflow pod) holds the run directory's lock
 *       <b>shared</b> (several pods of one DAG run different nodes at once) and its node's lock
 *       ({@code .locks/<node>.lock}) <b>exclusively</b>.</li>
 * </ul>
 * So a second {@code run} on a directory in use, or a second process on the same node, stops with
 * one line naming the holder (pid, host, start time) before it writes or deletes anything.
 *
 * <p>The locks are operating-system file locks, released when the process dies however it dies. A
 * lock file still holding a holder's description when the lock is free was left by a process
 * that ended without releasing it (killed): it is reported through the {@code notice} consumer and
 * taken over. Where the file system cannot lock at all, the lock is granted with a notice instead
 * of stopping every node.
 */
public final class RunLock implements AutoCloseable {
    /** The run directory's lock file. */
    public static final String RUN_LOCK = ".deqbench.lock";
    /** Folder of the per-node lock files. */
    public static final String NODE_LOCKS = ".locks";
    /** Environment variable through which {@code deqbench run} lends its lock to the node processes. */
    public static final String TOKEN_ENV = "DEQBENCH_RUN_LOCK_TOKEN";

    /** Who holds a lock: written into an exclusively held lock file, shown when the lock is refused. */
    public record Holder(long pid, String host, @JsonProperty("started_at") String startedAt, String purpose,
                         String token) {
        static Holder self(String purpose) {
            return new Holder(ProcessHandle.current().pid(), hostName(), Instant.now().toString(), purpose,
                    UUID.randomUUID().toString());
        }

        /** {@code pid 123 on host h since 2026-01-01T00:00:00Z (deqbench run)}. */
        public String describe() {
            return "pid " + pid + " on host " + host + " since " + startedAt + " (" + purpose + ")";
        }
    }

    /** The lock is held by another process; the message is the one line to show. */
    public static final class BusyException extends RuntimeException {
        public BusyException(String message) {
            super(message);
        }
    }

    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final List<Held> locks;
    private final Holder holder;

    private record Held(Path file, FileChannel channel, FileLock lock, boolean writesHolder) {
    }

    private RunLock(List<Held> locks, Holder holder) {
        this.locks = locks;
        this.holder = holder;
    }

    /**
     * The exclusive lock of {@code runDir}, for {@code deqbench run}.
     *
     * @throws BusyException when another process holds the directory (a run or a stage executable)
     */
    public static RunLock exclusive(Path runDir, String purpose, Consumer<String> notice) {
        Holder me = Holder.self(purpose);
        Held h = acquire(runDir.resolve(RUN_LOCK), false, me, notice,
                other -> "run directory " + runDir + " is in use by " + other
                        + "; wait for it to finish or stop that process");
        return new RunLock(List.of(h), me);
    }

    /**
     * The locks a node process needs: the run directory's lock (shared, or lent by the
     * {@code deqbench run} that started it when {@code env} carries its token) and the node's own
     * lock, exclusive.
     *
     * @throws BusyException when a {@code run} holds the directory or another process runs this node
     */
    public static RunLock forNode(Path runDir, String nodeId, Map<String, String> env, Consumer<String> notice) {
        Holder me = Holder.self("deqbench " + nodeId);
        List<Held> held = new ArrayList<>();
        try {
            if (!lentByParent(runDir, env)) {
                held.add(acquire(runDir.resolve(RUN_LOCK), true, null, notice,
                        other -> "run directory " + runDir + " is in use by " + other
                                + "; node " + nodeId + " was not started"));
            }
            Path nodeLock = runDir.resolve(NODE_LOCKS).resolve(nodeId.replace('/', '+') + ".lock");
            held.add(acquire(nodeLock, false, me, notice,
                    other -> "node " + nodeId + " in " + runDir + " is already being run by " + other));
            return new RunLock(held, me);
        } catch (RuntimeException e) {
            held.forEach(RunLock::release);
            throw e;
        }
    }

    /** Environment for the node processes of a run, lending them this lock. */
    public Map<String, String> childEnvironment() {
        return Map.of(TOKEN_ENV, holder.token());
    }

    /** This process as the lock holder. */
    public Holder holder() {
        return holder;
    }

    /**
     * Whether the run directory's exclusive lock is held by the process that started this one and
     * lent to it: the lock file names the parent process and the token in {@code env}.
     */
    private static boolean lentByParent(Path runDir, Map<String, String> env) {
        String token = env.get(TOKEN_ENV);
        if (token == null || token.isBlank()) {
            return false;
        }
        Holder h = readHolder(runDir.resolve(RUN_LOCK));
        if (h == null || !token.equals(h.token()) || !hostName().equals(h.host())) {
            return false;
        }
        long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
        return h.pid() == parent || h.pid() == ProcessHandle.current().pid();
    }

    private static Held acquire(Path file, boolean shared, Holder me, Consumer<String> notice,
                                java.util.function.Function<String, String> busyMessage) {
        Path key = file.toAbsolutePath().normalize();
        if (!HELD.add(key)) {
            Holder h = readHolder(key);
            throw new BusyException(busyMessage.apply(h == null ? "this process" : h.describe()));
        }
        try {
            Files.createDirectories(key.getParent());
        } catch (IOException e) {
            HELD.remove(key);
            throw new NodeOutputError(key.getParent(), "cannot create the run directory (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); choose a writable --run-dir", null);
        }
        FileChannel ch = null;
        try {
            ch = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock(0, Long.MAX_VALUE, shared);
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                Holder h = readHolder(key);
                ch.close();
                HELD.remove(key);
                throw new BusyException(busyMessage.apply(h == null
                        ? "another process (its stage executables hold " + key.getParent().relativize(key)
                        + " shared)" : h.describe()));
            }
            if (!shared) {
                Holder stale = readHolder(ch);
                if (stale != null) {
                    notice.accept("note: " + key + " was left by " + stale.describe()
                            + ", which ended without releasing it; taking it over");
                }
                byte[] text = RunStore.JSON.writeValueAsBytes(me);
                ch.truncate(0);
                ch.write(ByteBuffer.wrap(text), 0);
                ch.force(true);
            }
            return new Held(key, ch, lock, !shared);
        } catch (java.nio.file.FileSystemException e) {
            if (!(e instanceof java.nio.file.AccessDeniedException)
                    && (e.getReason() == null || !e.getReason().contains("Read-only"))) {
                notice.accept("note: cannot lock " + key + " (" + e.getMessage() + "); running without protection"
                        + " against a concurrent run");
                closeQuietly(ch);
                return new Held(key, null, null, false);
            }
            closeQuietly(ch);
            HELD.remove(key);
            throw new NodeOutputError(key.getParent(), "cannot write here (" + e.getClass().getSimpleName()
                    + (e.getReason() == null ? "" : ": " + e.getReason()) + "); choose a writable run directory"
                    + " (--run-dir)", null);
        } catch (IOException e) {
            // a file system without locks (some network volumes): run unprotected rather than never
            notice.accept("note: cannot lock " + key + " (" + e.getMessage() + "); running without protection"
                    + " against a concurrent run");
            closeQuietly(ch);
            return new Held(key, null, null, false);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            HELD.remove(key);
            throw e;
        }
    }

    /** The holder described in a lock file, or null when it is empty or unreadable. */
    public static Holder readHolder(Path file) {
        try {
            if (!Files.isRegularFile(file) || Files.size(file) == 0) {
                return null;
            }
            return RunStore.JSON.readValue(Files.readAllBytes(file), Holder.class);
        } catch (IOException e) {
            return null;
        }
    }

    private static Holder readHolder(FileChannel ch) throws IOException {
        long size = ch.size();
        if (size == 0 || size > 1 << 16) {
            return null;
        }
        ByteBuffer buf = ByteBuffer.allocate((int) size);
        while (buf.hasRemaining() && ch.read(buf, buf.position()) > 0) {
            // read the whole file
        }
        try {
            return RunStore.JSON.readValue(new String(buf.array(), StandardCharsets.UTF_8), Holder.class);
        } catch (IOException e) {
            return null;
        }
    }

    static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env.strip();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing held through it
            }
        }
    }

    private static void release(Held h) {
        try {
            if (h.writesHolder() && h.channel() != null) {
                // an empty lock file means "released cleanly"; a described one was left by a crash
                h.channel().truncate(0);
            }
            if (h.lock() != null) {
                h.lock().release();
            }
        } catch (IOException ignored) {
            // closing the channel releases it too
        }
        closeQuietly(h.channel());
        HELD.remove(h.file());
    }

    @Override
    public void close() {
        for (int i = locks.size() - 1; i >= 0; i--) {
            release(locks.get(i));
        }
    }
}
