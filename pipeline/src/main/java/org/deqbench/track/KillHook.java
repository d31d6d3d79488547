package org.deqbench.track;

/**
 * A shutdown hook that records a run as KILLED when the process is stopped by a signal (SIGTERM,
 * as Kubernetes sends it to a pod), registered while the run is open and removed when it finishes.
 * Registering while the process is already stopping, or removing from within the hook itself,
 * is allowed and does nothing: whoever opened the run finishes it.
 */
final class KillHook {
    final Thread thread;

    /** {@code onKill}, to run on a thread named {@code name} once {@link #register}ed. */
    KillHook(String name, Runnable onKill) {
        this.thread = new Thread(onKill, name);
    }

    /**
     * Runs the hook when the JVM shuts down. Call it once the owner's field holds this hook, so
     * that the hook's own finish can {@link #remove} it.
     */
    void register() {
        try {
            Runtime.getRuntime().addShutdownHook(thread);
        } catch (IllegalStateException shuttingDown) {
            // the process is already stopping; the run is finished by whoever opened it
        }
    }

    /** Unregisters the hook (a no-op once shutdown has begun, e.g. when called from the hook). */
    void remove() {
        try {
            Runtime.getRuntime().removeShutdownHook(thread);
        } catch (IllegalStateException shuttingDown) {
            // called from a shutdown hook
        }
    }
}
