package dev.zero.fuse;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * libfuse2 does not unlink a file that is still open: it renames it to {@code .fuse_hiddenNNN}
 * and unlinks that name at the last close. Zero unlinks at once instead (the name must vanish
 * from lookups and readdir, and an emptied parent must be removable), and remembers the hidden
 * name here only so that libfuse's later calls by that name (fstat, fchmod, ...) still reach the
 * inode. The hidden names are unique per mount, so they are kept by name alone, which survives
 * a rename of the directory they were in.
 */
final class HiddenFiles {
  private static final String PREFIX = ".fuse_hidden";

  private final Map<String, Long> inodeByName = new ConcurrentHashMap<>();

  static boolean isHiddenName(String name) {
    return name.startsWith(PREFIX);
  }

  void add(String name, long ino) {
    inodeByName.put(name, ino);
  }

  /** The inode a hidden name stands for, or null if it is not one of ours. */
  Long inode(String name) {
    return isHiddenName(name) ? inodeByName.get(name) : null;
  }

  boolean remove(String name) {
    return inodeByName.remove(name) != null;
  }

  /** Forgets the names of an inode that is gone (when libfuse could not unlink them itself). */
  void forget(long ino) {
    inodeByName.values().removeIf(hidden -> hidden == ino);
  }
}
