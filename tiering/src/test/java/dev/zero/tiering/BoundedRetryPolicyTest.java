package dev.zero.tiering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.backblaze.b2.client.exceptions.B2Exception;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BoundedRetryPolicyTest {
  private static final B2Exception UNAVAILABLE =
      B2Exception.create("service_unavailable", 503, null, "busy");

  @Test
  void waitsDoubleUpToTheMaximumUntilTheAttemptsRunOut() {
    BoundedRetryPolicy policy = new BoundedRetryPolicy(6, 5);
    List<Integer> waits = new ArrayList<>();
    for (int attempt = 1; attempt <= 6; attempt++) {
      waits.add(policy.gotRetryableAfterDelay("b2_upload_file", attempt, 10, UNAVAILABLE));
    }

    assertEquals(java.util.Arrays.asList(1, 2, 4, 5, 5, null), waits);
  }

  @Test
  void retryAfterIsObeyedWhenItFitsAndEndsTheCallWhenItDoesNot() {
    BoundedRetryPolicy policy = new BoundedRetryPolicy(8, 10);

    assertEquals(0, policy.gotRetryableAfterDelay("x", 1, 10, withRetryAfter(0)));
    assertEquals(10, policy.gotRetryableAfterDelay("x", 2, 10, withRetryAfter(10)));
    assertNull(policy.gotRetryableAfterDelay("x", 3, 10, withRetryAfter(11)));
  }

  @Test
  void expiredTokensAreRetriedAtOnceWithinTheSameAttempts() {
    BoundedRetryPolicy policy = new BoundedRetryPolicy(2, 0);
    B2Exception expired = B2Exception.create("expired_auth_token", 401, null, "expired");

    assertTrue(policy.gotRetryableImmediately("x", 1, 10, expired));
    assertFalse(policy.gotRetryableImmediately("x", 2, 10, expired));
  }

  private static B2Exception withRetryAfter(int seconds) {
    return B2Exception.create("service_unavailable", 503, seconds, "busy");
  }
}
