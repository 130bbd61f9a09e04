package dev.zero.fusekernel;

import java.nio.ByteBuffer;

/** The answer to open, opendir and create: {@code struct fuse_open_out}. */
public final class Opened {
  /** FOPEN_DIRECT_IO: reads and writes bypass the page cache. */
  public static final int DIRECT_IO = 1;
  /** FOPEN_KEEP_CACHE: the pages cached from earlier opens are still good. */
  public static final int KEEP_CACHE = 1 << 1;
  /** FOPEN_CACHE_DIR: the kernel may cache this directory's listing. */
  public static final int CACHE_DIR = 1 << 3;
  /** FOPEN_PASSTHROUGH: the kernel reads and writes {@link #backingId}'s file itself. */
  public static final int PASSTHROUGH = 1 << 7;

  public long fh;
  public int flags;
  /** From {@link FuseServer#openBacking}, with {@link #PASSTHROUGH}. */
  public int backingId;

  void clear() {
    fh = 0;
    flags = backingId = 0;
  }

  void encode(ByteBuffer out) {
    out.putLong(fh).putInt(flags).putInt(backingId);
  }
}
