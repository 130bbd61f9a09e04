package dev.zero.tiering;

import com.backblaze.b2.client.B2RetryPolicy;
import com.backblaze.b2.client.exceptions.B2Exception;

/**
 * The SDK's retry decisions for one call, bounded so that a caller waits at most {@code
 * maxAttempts} attempts with waits of at most {@code maxBackoffSeconds} in between. The SDK asks
 * after every failure it considers retryable: 408, 429, 500, 503 and network errors after a wait;
 * 401 on an expired or bad token at once, having dropped the token so that the next attempt
 * authorizes again. One instance serves one call.
 */
final class BoundedRetryPolicy implements B2RetryPolicy {
  private final int maxAttempts;
  private final int maxBackoffSeconds;
  private int nextBackoffSeconds = 1;

  BoundedRetryPolicy(int maxAttempts, int maxBackoffSeconds) {
    this.maxAttempts = maxAttempts;
    this.maxBackoffSeconds = maxBackoffSeconds;
  }

  /** Seconds to wait before the next attempt, or null to fail the call with {@code e}. */
  @Override
  public Integer gotRetryableAfterDelay(
      String operation, int attemptsSoFar, long tookMillis, B2Exception e) {
    if (attemptsSoFar >= maxAttempts || FileRangeSource.shrankIn(e) != null) {
      return null; // a file cut while it was uploaded would be cut again: its content is gone
    }
    Integer retryAfter = e.getRetryAfterSecondsOrNull();
    if (retryAfter != null) {
      // Retrying sooner than B2 asks only adds load; waiting longer than allowed blocks the caller.
      return retryAfter <= maxBackoffSeconds ? Math.max(0, retryAfter) : null;
    }
    int wait = Math.min(nextBackoffSeconds, maxBackoffSeconds);
    nextBackoffSeconds = (int) Math.min(2L * nextBackoffSeconds, Math.max(1, maxBackoffSeconds));
    return wait;
  }

  @Override
  public boolean gotRetryableImmediately(
      String operation, int attemptsSoFar, long tookMillis, B2Exception e) {
    return attemptsSoFar < maxAttempts && FileRangeSource.shrankIn(e) == null;
  }
}
