package dev.zero.store;

import java.nio.ByteBuffer;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;

/**
 * The few libc calls that move file data, and the stat of a cache file. They take direct
 * buffers (the FUSE request buffers) by address: bytes go between the kernel's buffer and the
 * cache file without a copy through the Java heap. Public only because jnr-ffi implements it
 * from a class loader of its own; the content layer ({@link ContentHandle}, {@link
 * FileStatus}) is its one user.
 */
public interface LibC {
  int O_RDWR = 02;
  int O_CREAT = 0100;
  int O_CLOEXEC = 02000000;
  int O_PATH = 010000000;

  LibC INSTANCE = LibraryLoader.create(LibC.class).load("c");

  @SaveError
  int open(String path, int flags, int mode);

  @SaveError
  int close(int fd);

  @SaveError
  long pread(int fd, @Out ByteBuffer buf, long count, long offset);

  @SaveError
  long pwrite(int fd, @In ByteBuffer buf, long count, long offset);

  @SaveError
  int fsync(int fd);

  @SaveError
  int fdatasync(int fd);

  @SaveError
  int fallocate(int fd, int mode, long offset, long length);

  /** {@code path} is NUL-terminated; {@code statBuf} is a direct buffer of at least {@link FileStatus#SIZE} bytes. */
  @SaveError
  int fstatat(int dirfd, @In byte[] path, @Out ByteBuffer statBuf, int flags);

  /** The errno of the last failed call above on this thread. */
  static int errno() {
    return Runtime.getRuntime(INSTANCE).getLastError();
  }
}
