package dev.zero.fuse;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A file handle the kernel holds: the inode, the cache file's descriptor, and how it was opened.
 * A passthrough handle's reads and writes never reach Zero: the kernel does them on the cache
 * file itself.
 */
final class OpenFile {
  final long ino;
  final int fd;
  final boolean writable;
  final boolean passthrough;
  /** Whether a read through this handle has marked the inode accessed yet. */
  final AtomicBoolean accessed = new AtomicBoolean();

  OpenFile(long ino, int fd, boolean writable, boolean passthrough) {
    this.ino = ino;
    this.fd = fd;
    this.writable = writable;
    this.passthrough = passthrough;
  }
}
