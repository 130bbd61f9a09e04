package dev.zero.b2emulator;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Authorization tokens handed out by b2_authorize_account, b2_get_upload_url and
 * b2_get_upload_part_url. Each works for the configured lifetime (B2's is 24 hours) and is then
 * refused with 401 {@code expired_auth_token}, so the client must authorize again or fetch a new
 * upload URL, as with the real service. They live in memory only: after a restart every old token
 * is refused with 401 {@code bad_auth_token}, which the SDK answers the same way.
 */
final class Tokens {
    private final SecureRandom random = new SecureRandom();
    private final long lifetimeNanos;
    /** Each token's end of life, in {@link System#nanoTime()} terms. */
    private final Map<String, Long> deadlines = new ConcurrentHashMap<>();

    Tokens(Duration lifetime) {
        this.lifetimeNanos = lifetime.toNanos();
    }

    String issue() {
        byte[] bytes = new byte[20];
        random.nextBytes(bytes);
        String token = "4_" + HexFormat.of().formatHex(bytes);
        deadlines.put(token, System.nanoTime() + lifetimeNanos);
        return token;
    }

    /** Throws the 401 the real service answers to a call carrying {@code token}, unless it is valid. */
    void require(String token) {
        Long deadline = token == null ? null : deadlines.get(token);
        if (deadline == null) {
            throw B2Error.badAuthToken();
        }
        if (System.nanoTime() - deadline >= 0) {
            throw B2Error.expiredAuthToken();
        }
    }

    /** Ends a token's life now; unknown tokens (or none) are left alone, as they fail anyway. */
    void expire(String token) {
        if (token != null) {
            deadlines.computeIfPresent(token, (t, deadline) -> System.nanoTime());
        }
    }
}
