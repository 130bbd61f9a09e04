package dev.zero.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;

/** Timestamps for the time checks. */
public final class Times {
    /** Distinct, nanosecond-precise past times to set with utimensat. */
    public static final Instant PAST_ATIME = Instant.parse("2001-02-03T04:05:06.123456789Z");
    public static final Instant PAST_MTIME = Instant.parse("2002-03-04T05:06:07.987654321Z");

    /**
     * The kernel stamps files from a clock that advances once per tick (up to 10 ms) and may lag
     * the JVM's clock by up to a tick; a FUSE daemon stamps them from its own clock. Times "now"
     * are checked against [before - SLACK, after + SLACK].
     */
    private static final Duration SLACK = Duration.ofMillis(100);

    private Times() {}

    /** Sleeps longer than a clock tick, so that a time set after it is greater than one read before it. */
    public static void pause() {
        try {
            Thread.sleep(30);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    public static void assertBetween(Instant before, Instant actual, Instant after, String what) {
        assertTrue(!actual.isBefore(before.minus(SLACK)) && !actual.isAfter(after.plus(SLACK)),
                what + " should be the time of the operation, between " + before + " and " + after
                        + " (give or take " + SLACK.toMillis() + " ms), but is " + actual);
    }

    public static void assertAdvanced(Instant earlier, Instant later, String what) {
        assertTrue(later.isAfter(earlier), what + " should have advanced from " + earlier + " but is " + later);
    }
}
