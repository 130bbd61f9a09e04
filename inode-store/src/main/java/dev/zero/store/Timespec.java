package dev.zero.store;

import java.time.Instant;

/** A POSIX timestamp: seconds since the epoch and nanoseconds within the second. */
public record Timespec(long sec, int nsec) implements Comparable<Timespec> {
  /** utimensat's special nanosecond values, as Linux defines them. */
  public static final long UTIME_NOW = (1L << 30) - 1;
  public static final long UTIME_OMIT = (1L << 30) - 2;

  public static Timespec now() {
    Instant now = Instant.now();
    return new Timespec(now.getEpochSecond(), now.getNano());
  }

  @Override
  public int compareTo(Timespec other) {
    int bySec = Long.compare(sec, other.sec);
    return bySec != 0 ? bySec : Integer.compare(nsec, other.nsec);
  }

  public boolean isAfter(Timespec other) {
    return compareTo(other) > 0;
  }
}
