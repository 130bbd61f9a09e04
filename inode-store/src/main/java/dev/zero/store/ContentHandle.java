package dev.zero.store;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An open handle on a regular file's content: the descriptor of its local content file, and the
 * rules every byte through it follows. A read first recalls what is not local yet; a write first
 * makes room on the cache disk and then records the new size and mtime, as a new version for
 * tiering; the store counts the handle as open from {@link #open} to {@link #close}, so the file
 * is never evicted meanwhile. The descriptor can also be handed to the kernel ({@link #fd}),
 * which then reads and writes the content file itself.
 */
public final class ContentHandle implements AutoCloseable {
  private static final AtomicLong LAST_ID = new AtomicLong();

  private final InodeStore store;
  private final long ino;
  private final boolean writable;
  private final int fd;
  /** Tells this handle's reads from others' to a recall (see {@link InodeStore#ensureLocal(long, long, long, long)}). */
  private final long id = LAST_ID.incrementAndGet();
  /** Whether a read through this handle has marked the inode accessed yet. */
  private final AtomicBoolean accessed = new AtomicBoolean();

  private ContentHandle(InodeStore store, long ino, boolean writable, int fd) {
    this.store = store;
    this.ino = ino;
    this.writable = writable;
    this.fd = fd;
  }

  /**
   * Opens the content of {@code ino}. A handle that may write gets the whole content recalled
   * first, because writes go to the local file. The content file is always opened read-write:
   * the caller has checked the access mode, and the kernel may take the descriptor for both.
   */
  public static ContentHandle open(InodeStore store, long ino, boolean writable) throws FsException {
    String path = store.open(ino, writable).toString();
    int fd = LibC.INSTANCE.open(path, LibC.O_RDWR | LibC.O_CREAT | LibC.O_CLOEXEC, 0600);
    if (fd < 0) {
      int errno = LibC.errno();
      store.release(ino, writable);
      throw new FsException(Errno.ofCode(errno), "cannot open the content file of inode " + ino + " (errno " + errno + ")");
    }
    return new ContentHandle(store, ino, writable, fd);
  }

  public long ino() {
    return ino;
  }

  public boolean writable() {
    return writable;
  }

  /** The content file's descriptor, for the kernel to serve this handle by itself. */
  public int fd() {
    return fd;
  }

  /** Whether the kernel may serve this handle by itself: see {@link InodeStore#mayServeUnwatched}. */
  public boolean mayServeUnwatched() throws FsException {
    return store.mayServeUnwatched(ino, writable);
  }

  /** Reads up to {@code size} bytes at {@code offset} into {@code into}, recalling them first if they are remote. */
  public int read(long offset, int size, ByteBuffer into) throws FsException {
    store.ensureLocal(ino, offset, size, id);
    long read = LibC.INSTANCE.pread(fd, into, size, offset);
    if (read < 0) {
      throw failure("reading");
    }
    readDone();
    return (int) read;
  }

  /**
   * Marks the inode accessed, once per handle (relatime then decides): for reads through Zero,
   * and for a read-only handle the kernel serves itself, at open.
   */
  public void readDone() {
    if (accessed.compareAndSet(false, true)) {
      try {
        store.touchAtime(ino);
      } catch (FsException e) {
        // the file went away meanwhile: nothing to mark
      }
    }
  }

  /**
   * Writes the remaining bytes of {@code data} at {@code offset}, dropping set-id bits for {@code
   * caller} where Linux would (null: the kernel did not ask); returns how many bytes were written.
   */
  public int write(long offset, ByteBuffer data, Caller caller) throws FsException {
    int size = data.remaining();
    store.ensureRoomFor(size);
    long written = LibC.INSTANCE.pwrite(fd, data, size, offset);
    if (written < 0) {
      throw failure("writing");
    }
    store.wrote(ino, offset + written, caller);
    return (int) written;
  }

  /** fallocate(2) on the content, with the modes {@link InodeStore#checkFallocate} allows. */
  public void fallocate(int mode, long offset, long length) throws FsException {
    store.checkFallocate(ino, mode, offset, length);
    if (LibC.INSTANCE.fallocate(fd, mode, offset, length) < 0) {
      throw failure("fallocate on");
    }
    if ((mode & InodeStore.FALLOC_FL_KEEP_SIZE) == 0) {
      store.wrote(ino, offset + length); // the size grows; zeroed bytes are new content
    } else if ((mode & (InodeStore.FALLOC_FL_PUNCH_HOLE | InodeStore.FALLOC_FL_ZERO_RANGE)) != 0) {
      store.wrote(ino, 0); // bytes inside the file became zeros
    }
  }

  /** fsync: the content is durable, and so is every metadata change so far (fdatasync of the content for {@code dataOnly}). */
  public void sync(boolean dataOnly) throws FsException {
    if ((dataOnly ? LibC.INSTANCE.fdatasync(fd) : LibC.INSTANCE.fsync(fd)) < 0) {
      throw failure("fsync of");
    }
    store.sync();
  }

  /** Closes the descriptor and tells the store, which frees the inode if this was its last use. */
  @Override
  public void close() {
    LibC.INSTANCE.close(fd);
    store.release(ino, writable);
  }

  private FsException failure(String what) {
    int errno = LibC.errno();
    return new FsException(Errno.ofCode(errno), what + " the content file of inode " + ino + " failed (errno " + errno + ")");
  }
}
