package dev.zero.fuse;

import dev.zero.fusekernel.Connection;
import dev.zero.fusekernel.FuseException;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Which way the I/O of each open inode goes: passthrough (the kernel reads and writes the cache
 * file itself) or through Zero. The kernel refuses to mix the two on one inode (ETXTBSY) and
 * wants one backing file per inode (EBUSY), so every handle of an inode open at the same time
 * takes the way its first handle took, and shares its backing id.
 */
final class KernelIoModes {
  private static final System.Logger LOG = System.getLogger(KernelIoModes.class.getName());

  private final Connection connection;
  private final Map<Long, Mode> modes = new HashMap<>();
  private boolean refusalLogged;

  private static final class Mode {
    final int backingId; // 0: through Zero
    int handles;
    int writers;
    /** The cache file's mtime when Zero last took the kernel's writes into account. */
    long accountedMtime;

    Mode(int backingId) {
      this.backingId = backingId;
    }
  }

  KernelIoModes(Connection connection) {
    this.connection = connection;
  }

  /**
   * Notes a new handle on {@code ino}, open on the cache file {@code fd}; returns the backing id
   * to answer with, or 0 for I/O through Zero. {@code unwatched} says the store lets the kernel
   * serve it alone (the content is all local, and a writer has room). {@code contentMtime}
   * reads the cache file's mtime, in ns, for the first writer of a passthrough inode: what the
   * kernel writes from then on moves it.
   */
  synchronized int open(long ino, int fd, boolean unwatched, boolean writable, LongSupplier contentMtime) {
    Mode mode = modes.get(ino);
    if (mode == null) {
      mode = new Mode(unwatched && connection.passthrough() ? backing(fd) : 0);
      modes.put(ino, mode);
    }
    mode.handles++;
    if (writable && mode.writers++ == 0 && mode.backingId != 0) {
      mode.accountedMtime = contentMtime.getAsLong();
    }
    return mode.backingId;
  }

  private int backing(int fd) {
    try {
      return connection.openBacking(fd);
    } catch (FuseException e) {
      if (!refusalLogged) {
        refusalLogged = true;
        LOG.log(Level.WARNING, "the kernel refused passthrough (" + e.getMessage() + "); file I/O goes through Zero");
      }
      return 0;
    }
  }

  /** Whether the kernel may be writing the cache file of {@code ino} itself right now. */
  synchronized boolean writtenByKernel(long ino) {
    return kernelWriterLock(ino) != null;
  }

  /**
   * What to hold while reading the cache file of {@code ino} and recording what it says, or
   * changing it, while the kernel may write it; null when it does not. Readings must not
   * interleave: requests run on several threads, and an asynchronous RELEASE that read the
   * file before the next GETATTR could otherwise record its older size after the newer one.
   */
  synchronized Object kernelWriterLock(long ino) {
    Mode mode = modes.get(ino);
    return mode != null && mode.backingId != 0 && mode.writers > 0 ? mode : null;
  }

  /**
   * Whether the cache file's mtime moved since it was last accounted, which means the kernel
   * wrote it (a time set through Zero does not touch the cache file); notes it as accounted.
   */
  synchronized boolean accountWrites(long ino, long contentMtime) {
    Mode mode = modes.get(ino);
    if (mode == null || mode.backingId == 0 || mode.writers == 0) {
      return false;
    }
    boolean moved = mode.accountedMtime != contentMtime;
    mode.accountedMtime = contentMtime;
    return moved;
  }

  synchronized void release(long ino, boolean writable) {
    Mode mode = modes.get(ino);
    if (mode == null) {
      return;
    }
    if (writable) {
      mode.writers--;
    }
    if (--mode.handles == 0) {
      modes.remove(ino);
      if (mode.backingId != 0) {
        connection.closeBacking(mode.backingId);
      }
    }
  }
}
