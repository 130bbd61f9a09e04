package dev.zero.conformance;

import java.util.Random;

/** Deterministic test content. */
public final class Data {
    private Data() {}

    /** {@code length} pseudo-random bytes from {@code seed}: incompressible, and the same for the same seed. */
    public static byte[] random(long seed, int length) {
        byte[] out = new byte[length];
        new Random(seed).nextBytes(out);
        return out;
    }

    /**
     * {@code length} bytes of a pattern that depends on the absolute file position, so that data
     * written or read at a wrong offset (or a repeated or dropped block) never matches.
     */
    public static byte[] pattern(long offset, int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            long z = (offset + i + 1) * 0x9E3779B97F4A7C15L;
            out[i] = (byte) (z ^ (z >>> 29) ^ (z >>> 47));
        }
        return out;
    }
}
