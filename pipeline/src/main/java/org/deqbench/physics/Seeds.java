package org.deqbench.physics;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Random;

/**
 * Reproducible random streams. Every random quantity (a phantom, a mask, coil maps, the noise of
 * one example) has its own stream, seeded by a hash of the experiment seed and a stable label such
 * as {@code ("mri-tiny", "train", "noise", 3)}. A stream therefore does not depend on how many
 * draws other streams made, on the order examples are generated in, or on shard sizes.
 *
 * <p>Streams are {@link java.util.Random}, whose algorithms (including {@code nextGaussian}) are
 * fixed by its specification, so the same seed gives the same numbers on every Java version.
 */
public final class Seeds {
    private Seeds() {
    }

    /** The first 8 bytes of SHA-256(root, labels), each label length-prefixed. */
    public static long derive(long root, Object... labels) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(ByteBuffer.allocate(8).putLong(root).array());
            for (Object label : labels) {
                byte[] b = String.valueOf(label).getBytes(StandardCharsets.UTF_8);
                md.update(ByteBuffer.allocate(4).putInt(b.length).array());
                md.update(b);
            }
            return ByteBuffer.wrap(md.digest()).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fresh stream seeded by {@link #derive}. */
    public static Random random(long root, Object... labels) {
        return new Random(derive(root, labels));
    }
}
