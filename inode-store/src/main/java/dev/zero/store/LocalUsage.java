package dev.zero.store;

import java.util.HashMap;
import java.util.Map;

/**
 * The disk blocks each local content file holds (st_blocks, and the cache's usage against its
 * target), measured once after each change instead of at every getattr and every tiering pass:
 * the cache's usage costs a stat per file that changed, not per file. A file that may be
 * changing right now (open for writing, which includes the kernel writing it by itself, or being
 * recalled) is measured every time. Has its own monitor, so getattr does not take the store's.
 */
final class LocalUsage {
  private final ContentStore content;
  /** Blocks of files measured since their last change. */
  private final Map<Long, Long> measured = new HashMap<>();
  /** Files to measure again, each with the number of its last change. */
  private final Map<Long, Long> stale = new HashMap<>();
  /** Writers and recalls under way per file. */
  private final Map<Long, Integer> changing = new HashMap<>();
  private long measuredBlocks;
  private long changes;

  LocalUsage(ContentStore content) {
    this.content = content;
  }

  /** The file's content may have changed on disk: it is measured again when next asked. */
  synchronized void changed(long ino) {
    Long old = measured.remove(ino);
    if (old != null) {
      measuredBlocks -= old;
    }
    stale.put(ino, ++changes);
  }

  /** A writer or a recall starts on the file: until it ends, the file is measured each time. */
  synchronized void startChanging(long ino) {
    changing.merge(ino, 1, Integer::sum);
    changed(ino);
  }

  synchronized void stopChanging(long ino) {
    Integer count = changing.get(ino);
    if (count == null || count <= 1) {
      changing.remove(ino);
    } else {
      changing.put(ino, count - 1);
    }
    changed(ino);
  }

  /** The file's local content was deleted (evicted): it holds nothing now. */
  synchronized void emptied(long ino) {
    forget(ino);
    measured.put(ino, 0L);
  }

  /** The inode is gone. */
  synchronized void forget(long ino) {
    Long old = measured.remove(ino);
    if (old != null) {
      measuredBlocks -= old;
    }
    stale.remove(ino);
  }

  /** The 512-byte blocks the file holds on disk now. */
  long blocks(long ino) {
    Long change;
    synchronized (this) {
      Long known = measured.get(ino);
      if (known != null) {
        return known;
      }
      change = stale.get(ino);
    }
    long blocks = content.allocatedBlocks(ino); // outside the monitor: a stat
    record(ino, change, blocks);
    return blocks;
  }

  /** Bytes the local content occupies on disk: the known sums plus a stat of each stale file. */
  long bytes() {
    Map<Long, Long> toMeasure;
    long blocks;
    synchronized (this) {
      toMeasure = Map.copyOf(stale);
      blocks = measuredBlocks;
    }
    for (Map.Entry<Long, Long> file : toMeasure.entrySet()) {
      long fileBlocks = content.allocatedBlocks(file.getKey());
      blocks += fileBlocks;
      record(file.getKey(), file.getValue(), fileBlocks);
    }
    return blocks * 512;
  }

  /** Keeps a measurement, unless the file changed since it was taken or may be changing now. */
  private synchronized void record(long ino, Long change, long blocks) {
    if (change != null && change.equals(stale.get(ino)) && !changing.containsKey(ino)) {
      stale.remove(ino);
      measured.put(ino, blocks);
      measuredBlocks += blocks;
    }
  }
}
