package dev.zero.store;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The fields of a cache file's struct stat that Zero reads, from fstatat(2) (glibc 2.33 or later)
 * into a direct buffer of the calling thread: a getattr or a READDIRPLUS entry measures a file
 * with one short name, not a Path and a stat object made for it. The offsets are those x86-64
 * and arm64 share.
 */
final class FileStatus {
  /** sizeof(struct stat) on x86-64, the larger of the two. */
  static final int SIZE = 144;
  private static final int ST_SIZE = 48;
  private static final int ST_BLOCKS = 64;
  private static final int ST_MTIM = 88;
  private static final ThreadLocal<ByteBuffer> BUFFERS =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(SIZE).order(ByteOrder.nativeOrder()));

  private FileStatus() {}

  /** fstatat(2) of {@code name} (NUL-terminated) in {@code dirFd}; null if it failed (see {@link LibC#errno}). */
  static ByteBuffer of(int dirFd, byte[] name) {
    ByteBuffer stat = BUFFERS.get();
    return LibC.INSTANCE.fstatat(dirFd, name, stat, 0) == 0 ? stat : null;
  }

  static long size(ByteBuffer stat) {
    return stat.getLong(ST_SIZE);
  }

  static long blocks(ByteBuffer stat) {
    return stat.getLong(ST_BLOCKS);
  }

  static long mtimeNanos(ByteBuffer stat) {
    return stat.getLong(ST_MTIM) * 1_000_000_000L + stat.getLong(ST_MTIM + 8);
  }
}
