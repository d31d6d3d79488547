package org.deqbench.nn;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * Hands the C allocator's free memory back to the operating system (glibc's {@code malloc_trim(0)}).
 *
 * <p>ND4J's arrays live in memory from the C library's {@code malloc}. glibc keeps what is freed for
 * later requests instead of returning it: after a burst of allocations that will not recur, the
 * process keeps the burst's size resident. The burst that matters here is the one-time measurement
 * of {@link LayoutChoice}, which runs every convolution path four times on the first call for a
 * shape: at 256×232 with 12 coils (K = 1) the training process then started every later step
 * about 1 GiB (MoDL) and 2 GiB (MOL-LR) above its baseline, and its steps peaked 1117 and 2048 MiB
 * above it against 431 and 788 MiB with the trim (README, "The official MOL model"). One trim took
 * 8–52 ms in a test build that trimmed at every step start; trimming there, rather than once after
 * the burst, makes each step fault its pages in again (MoDL at 64×64, K = 1: 0.11 against 0.07 s
 * per step).
 *
 * <p>A no-op (returning false) where the C library has no {@code malloc_trim} (not Linux with
 * glibc) or when the system property {@value #PROPERTY} is {@code false}.
 */
public final class NativeAllocator {
    /** System property that turns trimming off ({@code false}); on by default. */
    public static final String PROPERTY = "deqbench.native.trim";

    private static final Function TRIM = lookup();

    private NativeAllocator() {
    }

    /** Whether {@link #trim} can return memory on this platform (and is not turned off). */
    public static boolean available() {
        return TRIM != null && !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true").trim());
    }

    /**
     * Returns the allocator's free memory to the operating system. Only memory already freed is
     * returned, so release arrays first ({@code INDArray.close()}).
     *
     * @return whether any memory was returned (false where unavailable)
     */
    public static boolean trim() {
        if (!available()) {
            return false;
        }
        return TRIM.invokeInt(new Object[] {0}) == 1;
    }

    private static Function lookup() {
        if (!Platform.isLinux()) {
            return null;
        }
        try {
            return NativeLibrary.getInstance("c").getFunction("malloc_trim");
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            // musl and other C libraries without malloc_trim: nothing to trim with
            return null;
        }
    }
}
