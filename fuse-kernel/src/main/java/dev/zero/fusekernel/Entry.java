package dev.zero.fusekernel;

import java.nio.ByteBuffer;

/**
 * The answer to a request that names a node (lookup, mknod, mkdir, symlink, link, create):
 * {@code struct fuse_entry_out}. Each such answer adds one to the node's lookup count, which
 * the kernel gives back with FORGET.
 */
public final class Entry {
  public long nodeId;
  public long generation;
  /** How long the kernel may trust the name, and the attributes, in nanoseconds. */
  public long entryValidNanos;
  public long attrValidNanos;
  public final Attr attr = new Attr();

  void clear() {
    nodeId = generation = entryValidNanos = attrValidNanos = 0;
    attr.clear();
  }

  void encode(ByteBuffer out) {
    out.putLong(nodeId).putLong(generation);
    out.putLong(entryValidNanos / 1_000_000_000L).putLong(attrValidNanos / 1_000_000_000L);
    out.putInt((int) (entryValidNanos % 1_000_000_000L)).putInt((int) (attrValidNanos % 1_000_000_000L));
    attr.encode(out);
  }
}
