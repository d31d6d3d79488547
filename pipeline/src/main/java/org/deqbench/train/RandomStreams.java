package org.deqbench.train;

import java.nio.charset.StandardCharsets;

/**
 * Seeds of independent random streams derived from one root seed, a label and an index
 * (SplitMix64 finalisers over the three), so every stream of a run (the shuffling order of epoch
 * e, the noise of step t, a network's initial weights) is reproducible on its own: a run resumed
 * at step t draws exactly what an uninterrupted run would, without saving generator states.
 */
public final class RandomStreams {
    private RandomStreams() {
    }

    /** The seed of stream ({@code label}, {@code index}) under {@code seed}. */
    public static long derive(long seed, String label, long index) {
        long h = mix(seed ^ 0x9E3779B97F4A7C15L);
        for (byte b : label.getBytes(StandardCharsets.UTF_8)) {
            h = mix(h ^ (b & 0xff));
        }
        return mix(h ^ mix(index + 0x632BE59BD9B4E019L));
    }

    /** A permutation of 0..n−1 (Fisher–Yates) from the stream's seed. */
    public static int[] permutation(int n, long streamSeed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(streamSeed);
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int tmp = p[i];
            p[i] = p[j];
            p[j] = tmp;
        }
        return p;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
