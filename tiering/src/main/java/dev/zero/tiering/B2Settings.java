package dev.zero.tiering;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link B2Remote} reaches a bucket and how hard it tries.
 *
 * @param keyId the application key id
 * @param applicationKey the application key
 * @param bucketId the id of the bucket that holds the objects
 * @param masterUrl where to authorize; null for the real B2 service. An {@code http:} URL (the
 *     emulator) is allowed.
 * @param largeFileThreshold files of at least this many bytes go up as B2 large files, in parts
 *     uploaded in parallel
 * @param uploadThreads how many parts upload at once, over all uploads of this remote
 * @param maxAttempts how many times one call is tried before it fails; at least 2, so that an
 *     expired token can be renewed and the call repeated
 * @param maxBackoff the longest wait between two attempts. Waits are in whole seconds (the SDK's
 *     unit), doubling from 1 s; when B2 asks for a longer wait (Retry-After) the call fails at once
 *     rather than block its caller longer than allowed.
 */
public record B2Settings(
    String keyId,
    String applicationKey,
    String bucketId,
    String masterUrl,
    long largeFileThreshold,
    int uploadThreads,
    int maxAttempts,
    Duration maxBackoff) {
  public static final long DEFAULT_LARGE_FILE_THRESHOLD = 200_000_000L;
  public static final int DEFAULT_UPLOAD_THREADS = 4;

  /** B2's documented policy: 8 attempts, waiting 1, 2, 4 ... 64 s in between. */
  public static final int DEFAULT_MAX_ATTEMPTS = 8;

  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(64);

  public B2Settings {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(applicationKey, "applicationKey");
    Objects.requireNonNull(bucketId, "bucketId");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (largeFileThreshold < 1) {
      throw new IllegalArgumentException(
          "largeFileThreshold must be positive: " + largeFileThreshold);
    }
    if (uploadThreads < 1) {
      throw new IllegalArgumentException("uploadThreads must be positive: " + uploadThreads);
    }
    if (maxAttempts < 2) {
      throw new IllegalArgumentException(
          "maxAttempts must be at least 2, so that an expired token can be renewed: "
              + maxAttempts);
    }
    if (maxBackoff.isNegative()) {
      throw new IllegalArgumentException("maxBackoff must not be negative: " + maxBackoff);
    }
  }

  /** The real B2 service with the default threshold, threads and retries. */
  public static B2Settings of(String keyId, String applicationKey, String bucketId) {
    return new B2Settings(
        keyId,
        applicationKey,
        bucketId,
        null,
        DEFAULT_LARGE_FILE_THRESHOLD,
        DEFAULT_UPLOAD_THREADS,
        DEFAULT_MAX_ATTEMPTS,
        DEFAULT_MAX_BACKOFF);
  }

  /** Without the application key, so that settings can be logged. */
  @Override
  public String toString() {
    return "B2Settings[keyId="
        + keyId
        + ", applicationKey=(hidden), bucketId="
        + bucketId
        + ", masterUrl="
        + masterUrl
        + ", largeFileThreshold="
        + largeFileThreshold
        + ", uploadThreads="
        + uploadThreads
        + ", maxAttempts="
        + maxAttempts
        + ", maxBackoff="
        + maxBackoff
        + "]";
  }
}
