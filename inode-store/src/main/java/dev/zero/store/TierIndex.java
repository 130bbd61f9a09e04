package dev.zero.store;

import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Tiering's view of the regular files, in memory: which are dirty, clean or remote-only, with
 * their sizes and remote objects, the totals of each, and when each was last used. Rebuilt from the inodes at open
 * and kept up to date by every save, so that a tiering pass, statfs and status cost in
 * proportion to the files they look at, never a read of every inode. Guarded by the store's
 * monitor.
 */
final class TierIndex {
  /** Where a file's content is, as tiering sees it. */
  enum Tier {
    /** Local, newer than the remote: to be uploaded. */
    DIRTY,
    /** Local and the same as its remote copy: may be evicted. */
    CLEAN,
    /** Only in the remote (possibly partly recalled). */
    REMOTE;

    /** The tier of a regular file, or null for one tiering has nothing to do with (empty, never uploaded). */
    static Tier of(Inode inode) {
      return switch (inode.content()) {
        case LOCAL_DIRTY -> DIRTY;
        case LOCAL_CLEAN -> inode.remoteKey() != null ? CLEAN : null;
        case REMOTE -> REMOTE;
      };
    }
  }

  /** {@code remoteKey}: the object holding the file's content, or its last upload if dirty; null if none. */
  private record Entry(Tier tier, long size, long atimeMillis, String remoteKey) {}

  private final Map<Long, Entry> entries = new HashMap<>();
  private final Map<Tier, Set<Long>> members = Map.of(Tier.DIRTY, new HashSet<>(), Tier.CLEAN, new HashSet<>(), Tier.REMOTE, new HashSet<>());
  private final long[] files = new long[Tier.values().length];
  private final long[] bytes = new long[Tier.values().length];
  /** When each inode was last opened by this process: least-recently-used order without a store write. */
  private final Map<Long, Long> openedMillis = new HashMap<>();

  /** Takes a regular file as it is now. */
  void index(Inode inode) {
    long ino = inode.ino();
    Tier tier = Tier.of(inode);
    drop(ino);
    if (tier != null) {
      entries.put(ino, new Entry(tier, inode.size(), inode.atime().sec() * 1000, inode.remoteKey()));
      members.get(tier).add(ino);
      files[tier.ordinal()]++;
      bytes[tier.ordinal()] += inode.size();
    }
  }

  /** Forgets a freed file. */
  void remove(long ino) {
    drop(ino);
    openedMillis.remove(ino);
  }

  private void drop(long ino) {
    Entry old = entries.remove(ino);
    if (old != null) {
      members.get(old.tier()).remove(ino);
      files[old.tier().ordinal()]--;
      bytes[old.tier().ordinal()] -= old.size();
    }
  }

  void opened(long ino, long millis) {
    openedMillis.put(ino, millis);
  }

  /** Last open in this process, or else the stored atime (a read costs no store write). */
  long lastUsedMillis(long ino) {
    Long opened = openedMillis.get(ino);
    if (opened != null) {
      return opened;
    }
    Entry entry = entries.get(ino);
    return entry == null ? 0 : entry.atimeMillis();
  }

  /** The files in {@code tier}, as a live view: copy it before letting go of the store's monitor. */
  Set<Long> members(Tier tier) {
    return Collections.unmodifiableSet(members.get(tier));
  }

  boolean contains(Tier tier, long ino) {
    return members.get(tier).contains(ino);
  }

  long size(long ino) {
    Entry entry = entries.get(ino);
    return entry == null ? 0 : entry.size();
  }

  /** Every remote object a file refers to. */
  Set<String> remoteKeys() {
    Set<String> keys = new HashSet<>();
    for (Entry entry : entries.values()) {
      if (entry.remoteKey() != null) {
        keys.add(entry.remoteKey());
      }
    }
    return keys;
  }

  long files(Tier tier) {
    return files[tier.ordinal()];
  }

  long bytes(Tier tier) {
    return bytes[tier.ordinal()];
  }
}
