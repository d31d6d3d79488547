package org.deqbench.track;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An exclusive lock on a file, held by a running node (so that {@code deqbench mlflow sync} leaves
 * its records to it) or by a running sync. The operating system releases it when the process dies,
 * so a killed node never leaves a stale lock behind.
 *
 * <p>Locks held by this JVM are also kept in a set: on POSIX systems closing <em>any</em> channel to
 * a file drops every lock the process holds on it, so this JVM never probes a file it holds.
 */
final class ProcessLock implements Closeable {
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private ProcessLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * The lock, or empty if another process (or this JVM) holds it. Where the file system cannot
     * lock at all (some network volumes) the lock is granted without protection rather than
     * stopping the node or making every node look busy.
     */
    static Optional<ProcessLock> tryAcquire(Path file) {
        Path key = file.toAbsolutePath().normalize();
        if (!HELD.add(key)) {
            return Optional.empty();
        }
        FileChannel ch = null;
        try {
            Files.createDirectories(key.getParent());
            ch = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l = ch.tryLock();
            if (l == null) {
                ch.close();
                HELD.remove(key);
                return Optional.empty();
            }
            return Optional.of(new ProcessLock(key, ch, l));
        } catch (OverlappingFileLockException e) {
            closeQuietly(ch);
            HELD.remove(key);
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(new ProcessLock(key, ch, null));
        }
    }

    /** Whether some process (this JVM included) holds the lock right now. */
    static boolean isHeld(Path file) {
        if (!Files.exists(file)) {
            return false;
        }
        Optional<ProcessLock> probe = tryAcquire(file);
        probe.ifPresent(ProcessLock::close);
        return probe.isEmpty();
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing was locked through it
            }
        }
    }

    @Override
    public void close() {
        try {
            if (lock != null) {
                lock.release();
            }
        } catch (IOException ignored) {
            // closing the channel releases it too
        }
        closeQuietly(channel);
        HELD.remove(file);
    }
}
