package dev.zero.tiering;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The last few errors from the remote, with when they happened, for {@code zero-cli status}.
 * Each is logged as a warning once, not at every pass that fails the same way.
 */
public final class RecentErrors {
  private static final System.Logger LOG = System.getLogger(RecentErrors.class.getName());
  private static final int KEPT = 10;
  private static final java.util.regex.Pattern UUID =
      java.util.regex.Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private final Deque<String> errors = new ArrayDeque<>();

  public synchronized void add(String error) {
    String cause = cause(error);
    if (errors.stream().noneMatch(kept -> cause(kept).endsWith(" " + cause))) {
      LOG.log(System.Logger.Level.WARNING, error);
    }
    errors.addFirst(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + " " + error);
    while (errors.size() > KEPT) {
      errors.removeLast();
    }
  }

  public synchronized void clear() {
    errors.clear();
  }

  /** An error without what differs between two tries of the same thing: the new object's UUID. */
  private static String cause(String error) {
    return UUID.matcher(error).replaceAll("*");
  }

  /** Newest first. */
  public synchronized List<String> list() {
    return List.copyOf(errors);
  }
}
