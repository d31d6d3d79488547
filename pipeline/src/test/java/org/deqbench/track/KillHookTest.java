package org.deqbench.track;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The kill hook is in the JVM's shutdown hooks from register() to remove(), and only then. */
class KillHookTest {
    @Test
    void registeredUntilRemoved() {
        KillHook h = new KillHook("deqbench-test-kill", () -> { });
        assertFalse(Runtime.getRuntime().removeShutdownHook(h.thread), "not registered before register()");
        h.register();
        assertTrue(Runtime.getRuntime().removeShutdownHook(h.thread), "registered by register()");
        h.register();
        h.remove();
        assertFalse(Runtime.getRuntime().removeShutdownHook(h.thread), "unregistered by remove()");
        h.remove(); // removing twice is harmless
    }
}
