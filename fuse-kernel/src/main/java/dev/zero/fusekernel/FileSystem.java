package dev.zero.fusekernel;

import java.nio.ByteBuffer;

/**
 * A filesystem served over the kernel's FUSE protocol, in the kernel's own terms: nodes by id
 * (1 is the root), names as bytes, and answers written into objects the caller owns and
 * reuses. Every method may be called from several request threads at once. A method that
 * fails throws {@link FuseException} with the errno to answer; one not overridden answers
 * ENOSYS, and the kernel then stops sending that request where the protocol allows.
 */
public interface FileSystem {
  /*
   * The kernel leaves the dropping of setuid and setgid bits to the filesystem
   * (FUSE_HANDLE_KILLPRIV_V2): it marks each change after which they go, because the caller
   * lacks CAP_FSETID (a write, an open with O_TRUNC, a truncate) or because the owner changed
   * (SetAttr.KILL_SUIDGID). In exchange it asks for security.capability once per inode, not
   * before every write.
   */

  /** In open's and create's {@code openFlags}: an O_TRUNC by a caller without CAP_FSETID. */
  int OPEN_KILL_SUIDGID = 1;

  /** In write's {@code writeFlags}: a write by a caller without CAP_FSETID. */
  int WRITE_KILL_SUIDGID = 1 << 2;

  /** Called once the kernel's INIT is answered, before any other request. */
  default void init(Connection connection) {}

  /** Fills {@code entry} for {@code name} in directory {@code parent}; counts one lookup of it. */
  default void lookup(Request request, long parent, byte[] name, Entry entry) throws FuseException {
    throw enosys();
  }

  /** The kernel dropped {@code lookups} of its references to {@code nodeId}. No answer. */
  default void forget(long nodeId, long lookups) {}

  /** Fills {@code attr}; {@code fh} is the open handle the caller used, or -1. Returns how long it is valid, in ns. */
  default long getattr(Request request, long nodeId, long fh, Attr attr) throws FuseException {
    throw enosys();
  }

  default long setattr(Request request, long nodeId, SetAttr change, Attr attr) throws FuseException {
    throw enosys();
  }

  default byte[] readlink(Request request, long nodeId) throws FuseException {
    throw enosys();
  }

  default void mknod(Request request, long parent, byte[] name, int mode, int rdev, int umask, Entry entry) throws FuseException {
    throw enosys();
  }

  default void mkdir(Request request, long parent, byte[] name, int mode, int umask, Entry entry) throws FuseException {
    throw enosys();
  }

  default void symlink(Request request, long parent, byte[] name, byte[] target, Entry entry) throws FuseException {
    throw enosys();
  }

  default void unlink(Request request, long parent, byte[] name) throws FuseException {
    throw enosys();
  }

  default void rmdir(Request request, long parent, byte[] name) throws FuseException {
    throw enosys();
  }

  /** {@code flags} are renameat2's RENAME_NOREPLACE (1), RENAME_EXCHANGE (2), RENAME_WHITEOUT (4). */
  default void rename(Request request, long parent, byte[] name, long newParent, byte[] newName, int flags) throws FuseException {
    throw enosys();
  }

  default void link(Request request, long nodeId, long newParent, byte[] newName, Entry entry) throws FuseException {
    throw enosys();
  }

  /** {@code flags} are open(2)'s; {@code openFlags} may hold {@link #OPEN_KILL_SUIDGID}. */
  default void open(Request request, long nodeId, int flags, int openFlags, Opened opened) throws FuseException {
    throw enosys();
  }

  /** Creates and opens a regular file; fills both answers. {@code openFlags} as for {@link #open}. */
  default void create(Request request, long parent, byte[] name, int flags, int openFlags, int mode, int umask, Entry entry,
      Opened opened) throws FuseException {
    throw enosys();
  }

  /** Reads up to {@code size} bytes at {@code offset} into {@code into} (from its position); returns how many. */
  default int read(Request request, long nodeId, long fh, long offset, int size, ByteBuffer into) throws FuseException {
    throw enosys();
  }

  /**
   * Writes {@code data} (position to limit) at {@code offset}; returns how many bytes were written.
   * {@code writeFlags} may hold {@link #WRITE_KILL_SUIDGID}.
   */
  default int write(Request request, long nodeId, long fh, long offset, ByteBuffer data, int writeFlags) throws FuseException {
    throw enosys();
  }

  default void flush(Request request, long nodeId, long fh) throws FuseException {
    throw enosys();
  }

  default void fsync(Request request, long nodeId, long fh, boolean dataOnly) throws FuseException {
    throw enosys();
  }

  /** The last close of an open handle. Cannot fail. */
  default void release(Request request, long nodeId, long fh, int flags) {}

  default void fallocate(Request request, long nodeId, long fh, long offset, long length, int mode) throws FuseException {
    throw enosys();
  }

  default void opendir(Request request, long nodeId, int flags, Opened opened) throws FuseException {
    throw enosys();
  }

  /** Fills {@code listing} with the entries after {@code offset} (0: from the start). */
  default void readdir(Request request, long nodeId, long fh, long offset, DirectoryListing listing) throws FuseException {
    throw enosys();
  }

  default void releasedir(Request request, long nodeId, long fh) {}

  default void fsyncdir(Request request, long nodeId, long fh, boolean dataOnly) throws FuseException {
    throw enosys();
  }

  default void statfs(Request request, long nodeId, Statfs statfs) throws FuseException {
    throw enosys();
  }

  default void setxattr(Request request, long nodeId, byte[] name, byte[] value, int flags) throws FuseException {
    throw enosys();
  }

  default byte[] getxattr(Request request, long nodeId, byte[] name) throws FuseException {
    throw enosys();
  }

  /** The names, each followed by a NUL byte. */
  default byte[] listxattr(Request request, long nodeId) throws FuseException {
    throw enosys();
  }

  default void removexattr(Request request, long nodeId, byte[] name) throws FuseException {
    throw enosys();
  }

  /** The filesystem is being unmounted. */
  default void destroy() {}

  private static FuseException enosys() {
    return new FuseException(Errors.ENOSYS, "not implemented");
  }
}
