package dev.zero.store;

import java.util.Locale;

/**
 * Where one inode's content is, as a user sees it: {@code zero-cli ls} prints it and the
 * {@value InodeStore#STATE_XATTR} xattr reads it.
 *
 * @param residence where a regular file's content is; null for other types, which have none
 * @param pinned whether eviction leaves it local (for a directory: what is made in it is pinned too)
 * @param localBytes bytes its content takes on the cache disk
 * @param size its size
 */
public record Placement(long ino, int type, Residence residence, boolean pinned, long localBytes, long size) {
  public enum Residence {
    /** Local, not uploaded yet (new or changed since its upload). */
    LOCAL,
    /** Local, and the same as its remote copy. */
    SYNCED,
    /** In the remote only: reading it recalls it. */
    REMOTE,
    /** In the remote, and partly recalled. */
    PARTIAL;

    /** The word ls and the xattr show. */
    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public boolean isDirectory() {
    return FileMode.isDirectory(type);
  }

  /** The xattr's value: the residence (or "-"), then "pinned" or "unpinned", local bytes and size. */
  static String xattrValue(Placement placement) {
    return (placement.residence == null ? "-" : placement.residence.word()) + (placement.pinned ? " pinned" : " unpinned")
        + " local=" + placement.localBytes + " size=" + placement.size;
  }
}
