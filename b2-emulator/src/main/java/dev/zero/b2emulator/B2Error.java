package dev.zero.b2emulator;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error answer of the B2 API: an HTTP status and a {@code {status, code, message}} body.
 * Thrown from anywhere inside a call and turned into the response by {@link ApiHandler}.
 */
final class B2Error extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    /** Sent as {@code Retry-After}; null for none. */
    private final Integer retryAfterSeconds;

    B2Error(int status, String code, String message, Integer retryAfterSeconds) {
        super(message);
        this.status = status;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    static B2Error badRequest(String message) {
        return new B2Error(400, "bad_request", message, null);
    }

    static B2Error notFound(String message) {
        return new B2Error(404, "not_found", message, null);
    }

    static B2Error badAuthToken() {
        return new B2Error(401, "bad_auth_token", "invalid authorization token", null);
    }

    static B2Error expiredAuthToken() {
        return new B2Error(401, "expired_auth_token", "authorization token has expired", null);
    }

    int status() {
        return status;
    }

    Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** Exactly these three members: the SDK parses error bodies without allowing extra fields. */
    Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("code", code);
        body.put("message", getMessage());
        return body;
    }
}
