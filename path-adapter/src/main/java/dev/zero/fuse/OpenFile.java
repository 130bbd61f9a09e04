package dev.zero.fuse;

import java.util.concurrent.atomic.AtomicBoolean;

/** A file handle the kernel holds: the inode, the cache file's descriptor, and its open flags. */
final class OpenFile {
  final long ino;
  final int fd;
  final boolean append;
  final boolean writable;
  /** Whether a read through this handle has marked the inode accessed yet. */
  final AtomicBoolean accessed = new AtomicBoolean();

  OpenFile(long ino, int fd, boolean append, boolean writable) {
    this.ino = ino;
    this.fd = fd;
    this.append = append;
    this.writable = writable;
  }
}
