package dev.zero.tiering;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/** The last few errors from the remote, with when they happened, for {@code zero-cli status}. */
public final class RecentErrors {
  private static final int KEPT = 10;

  private final Deque<String> errors = new ArrayDeque<>();

  public synchronized void add(String error) {
    System.err.println("zero: " + error);
    errors.addFirst(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + " " + error);
    while (errors.size() > KEPT) {
      errors.removeLast();
    }
  }

  public synchronized void clear() {
    errors.clear();
  }

  /** Newest first. */
  public synchronized List<String> list() {
    return List.copyOf(errors);
  }
}
