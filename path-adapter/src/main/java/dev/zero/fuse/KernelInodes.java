package dev.zero.fuse;

import dev.zero.store.InodeStore;
import java.util.HashMap;
import java.util.Map;

/**
 * The kernel's references to inodes: every answer that names a node (lookup, create, mkdir,
 * link, a READDIRPLUS entry, ...) adds one, FORGET gives them back. While the kernel holds any,
 * the store keeps the inode even when its last name goes, so that a request on the node the
 * kernel cached (an open racing a rename over the name) still finds it.
 */
final class KernelInodes {
  private final InodeStore store;
  private final Map<Long, Long> lookups = new HashMap<>();

  KernelInodes(InodeStore store) {
    this.store = store;
  }

  synchronized void lookedUp(long ino) {
    if (lookups.merge(ino, 1L, Long::sum) == 1) {
      store.retain(ino);
    }
  }

  /** Whether the kernel holds a reference to the inode, that is, has it cached. */
  synchronized boolean holds(long ino) {
    return lookups.containsKey(ino);
  }

  synchronized void forget(long ino, long count) {
    Long left = lookups.get(ino);
    if (left == null) {
      return;
    }
    if (left > count) {
      lookups.put(ino, left - count);
    } else {
      lookups.remove(ino);
      store.forget(ino);
    }
  }
}
