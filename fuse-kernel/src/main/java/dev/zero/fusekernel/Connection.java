package dev.zero.fusekernel;

/** What a filesystem may ask of the kernel on its own initiative, once mounted. */
public interface Connection {
  /** Whether the kernel agreed to pass open files through to backing files. */
  boolean passthrough();

  /**
   * Registers an open file descriptor as a backing file for {@link Opened#PASSTHROUGH}; returns
   * its id. The kernel keeps its own reference: {@code fd} may be closed afterwards.
   */
  int openBacking(int fd) throws FuseException;

  void closeBacking(int backingId);

  /** Tells the kernel that the node's attributes changed behind its back. Never blocks. */
  void invalidateAttributes(long nodeId);

  /** Tells the kernel to forget what it cached of {@code name} in {@code parent}. Never blocks. */
  void invalidateEntry(long parent, byte[] name);
}
