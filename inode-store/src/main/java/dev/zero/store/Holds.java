package dev.zero.store;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What keeps a file's content on the local disk: open handles, writers (a writer's handle, or a
 * truncate by path, which holds none) and pins. {@link Eviction} passes over a held file, and an
 * upload never calls a file clean while a writer holds it. Guarded by the store's monitor.
 */
final class Holds {
  private final Map<Long, Integer> openCounts = new HashMap<>();
  private final Map<Long, Integer> writers = new HashMap<>();
  /** Inodes with the {@link InodeStore#PIN} xattr. */
  private final Set<Long> pinned = new HashSet<>();

  void opened(long ino) {
    openCounts.merge(ino, 1, Integer::sum);
  }

  /** A handle closed; returns how many stay open. */
  int closed(long ino) {
    return decrement(openCounts, ino);
  }

  boolean isOpen(long ino) {
    return openCounts.containsKey(ino);
  }

  void writerStarted(long ino) {
    writers.merge(ino, 1, Integer::sum);
  }

  void writerEnded(long ino) {
    decrement(writers, ino);
  }

  boolean isWritten(long ino) {
    return writers.containsKey(ino);
  }

  /** Pins or unpins; returns whether that changed anything. */
  boolean pin(long ino, boolean pin) {
    return pin ? pinned.add(ino) : pinned.remove(ino);
  }

  boolean isPinned(long ino) {
    return pinned.contains(ino);
  }

  /** The pinned inodes, as they are now. */
  Set<Long> pinned() {
    return Set.copyOf(pinned);
  }

  /** Whether eviction must leave the file's content: someone has it open, pinned or being written. */
  boolean keepLocal(long ino) {
    return openCounts.containsKey(ino) || pinned.contains(ino) || writers.containsKey(ino);
  }

  private static int decrement(Map<Long, Integer> counts, long ino) {
    Integer count = counts.get(ino);
    if (count == null || count <= 1) {
      counts.remove(ino);
      return 0;
    }
    counts.put(ino, count - 1);
    return count - 1;
  }
}
