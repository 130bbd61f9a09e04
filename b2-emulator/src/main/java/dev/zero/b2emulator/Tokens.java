package dev.zero.b2emulator;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Authorization tokens handed out by b2_authorize_account, b2_get_upload_url and
 * b2_get_upload_part_url. They live in memory only: after a restart every old token is refused
 * with 401 {@code bad_auth_token}, which makes the SDK authorize again, as it would after the real
 * service's 24-hour expiry.
 */
final class Tokens {
    private final SecureRandom random = new SecureRandom();
    private final Set<String> issued = ConcurrentHashMap.newKeySet();

    String issue() {
        byte[] bytes = new byte[20];
        random.nextBytes(bytes);
        String token = "4_" + HexFormat.of().formatHex(bytes);
        issued.add(token);
        return token;
    }

    boolean isValid(String token) {
        return token != null && issued.contains(token);
    }
}
