package dev.zero.b2emulator;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One kind of misbehaviour the emulator applies to API calls instead of (or, for {@link Kind#SLOW},
 * before; for {@link Kind#CUT_DOWNLOAD}, while) answering them. By default a fault applies to every
 * call until cleared; {@link #times} limits it to the next N matching calls and
 * {@link #onPathsContaining} to calls whose URL path contains a fragment (e.g.
 * {@code "b2_upload_part"}). Control calls under {@code /emulator/} are never affected.
 *
 * @param kind              what goes wrong
 * @param count             how many more calls it applies to, or {@link #UNTIL_CLEARED}
 * @param pathContains      only calls whose path contains this; null for all calls
 * @param retryAfterSeconds the {@code Retry-After} sent with {@link Kind#SERVICE_UNAVAILABLE},
 *                          {@link Kind#TOO_MANY_REQUESTS} and {@link Kind#REQUEST_TIMEOUT}
 * @param delayMillis       how long {@link Kind#SLOW} holds a call before answering it normally
 */
public record Fault(Kind kind, int count, String pathContains, int retryAfterSeconds, long delayMillis) {

    public static final int UNTIL_CLEARED = -1;

    public enum Kind {
        /** 503 {@code service_unavailable} with {@code Retry-After}. */
        SERVICE_UNAVAILABLE,
        /** 429 {@code too_many_requests} with {@code Retry-After}: B2 asking a client to slow down. */
        TOO_MANY_REQUESTS,
        /** 408 {@code request_timeout} with {@code Retry-After}: B2 gave up waiting for the request. */
        REQUEST_TIMEOUT,
        /** 500 {@code internal_error}. */
        INTERNAL_ERROR,
        /**
         * 401 {@code expired_auth_token}, and the token the call carried stays expired: the SDK
         * re-authorizes, or fetches a new upload URL.
         */
        EXPIRED_AUTH_TOKEN,
        /** The connection is closed without any response. */
        DROP_CONNECTION,
        /**
         * A download is answered with its status and full {@code Content-Length}, then the first
         * half of its body, then the connection is closed: a transfer broken mid-stream. Applies
         * to downloads only (other calls pass it by); a HEAD or an empty body has nothing to cut.
         */
        CUT_DOWNLOAD,
        /** The call is answered normally after a delay. */
        SLOW;

        String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Kind fromWireName(String name) {
            for (Kind kind : values()) {
                if (kind.wireName().equals(name)) {
                    return kind;
                }
            }
            throw B2Error.badRequest("unknown fault kind: " + name);
        }
    }

    public Fault {
        Objects.requireNonNull(kind, "kind");
        if (count != UNTIL_CLEARED && count < 1) {
            throw new IllegalArgumentException("count must be positive or UNTIL_CLEARED: " + count);
        }
        if (retryAfterSeconds < 0 || delayMillis < 0) {
            throw new IllegalArgumentException("retryAfterSeconds and delayMillis must not be negative");
        }
    }

    public static Fault serviceUnavailable(int retryAfterSeconds) {
        return new Fault(Kind.SERVICE_UNAVAILABLE, UNTIL_CLEARED, null, retryAfterSeconds, 0);
    }

    public static Fault internalError() {
        return new Fault(Kind.INTERNAL_ERROR, UNTIL_CLEARED, null, 0, 0);
    }

    public static Fault expiredAuthToken() {
        return new Fault(Kind.EXPIRED_AUTH_TOKEN, UNTIL_CLEARED, null, 0, 0);
    }

    public static Fault tooManyRequests(int retryAfterSeconds) {
        return new Fault(Kind.TOO_MANY_REQUESTS, UNTIL_CLEARED, null, retryAfterSeconds, 0);
    }

    public static Fault requestTimeout(int retryAfterSeconds) {
        return new Fault(Kind.REQUEST_TIMEOUT, UNTIL_CLEARED, null, retryAfterSeconds, 0);
    }

    public static Fault cutDownload() {
        return new Fault(Kind.CUT_DOWNLOAD, UNTIL_CLEARED, null, 0, 0);
    }

    public static Fault dropConnection() {
        return new Fault(Kind.DROP_CONNECTION, UNTIL_CLEARED, null, 0, 0);
    }

    public static Fault slow(long delayMillis) {
        return new Fault(Kind.SLOW, UNTIL_CLEARED, null, 0, delayMillis);
    }

    /** The service is unreachable: every API call loses its connection until the fault is cleared. */
    public static Fault outage() {
        return dropConnection();
    }

    /** This fault for the next {@code n} matching calls only. */
    public Fault times(int n) {
        return new Fault(kind, n, pathContains, retryAfterSeconds, delayMillis);
    }

    /** This fault only for calls whose URL path contains {@code fragment}. */
    public Fault onPathsContaining(String fragment) {
        return new Fault(kind, count, fragment, retryAfterSeconds, delayMillis);
    }

    boolean appliesTo(String path) {
        return (pathContains == null || path.contains(pathContains))
                && (kind != Kind.CUT_DOWNLOAD || DownloadCalls.isDownload(path));
    }

    /** The control endpoint's form; {@code count} is null when the fault lasts until cleared. */
    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("kind", kind.wireName());
        json.put("count", count == UNTIL_CLEARED ? null : count);
        json.put("pathContains", pathContains);
        json.put("retryAfterSeconds", retryAfterSeconds);
        json.put("delayMillis", delayMillis);
        return json;
    }

    static Fault fromJson(JsonArgs json) {
        try {
            return new Fault(Kind.fromWireName(json.requiredString("kind")),
                    json.optionalInt("count", UNTIL_CLEARED),
                    json.optionalString("pathContains"),
                    json.optionalInt("retryAfterSeconds", 0),
                    json.optionalLong("delayMillis", 0));
        } catch (IllegalArgumentException e) {
            throw B2Error.badRequest(e.getMessage());
        }
    }
}
