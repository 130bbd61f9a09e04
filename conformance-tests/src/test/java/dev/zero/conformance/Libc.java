package dev.zero.conformance;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;

/**
 * The raw libc calls the suite makes. Every method returns what libc returns (-1 on error, with
 * errno saved); {@link Sys} turns that into values and {@link ErrnoException}s.
 */
@SaveError
public interface Libc {
    Libc INSTANCE = LibraryLoader.create(Libc.class).load("c");

    int open(String path, int flags, int mode);

    int close(int fd);

    long read(int fd, @Out byte[] buf, long count);

    long write(int fd, @In byte[] buf, long count);

    long pread(int fd, @Out byte[] buf, long count, long offset);

    long pwrite(int fd, @In byte[] buf, long count, long offset);

    long lseek(int fd, long offset, int whence);

    int ftruncate(int fd, long length);

    int truncate(String path, long length);

    int fsync(int fd);

    /** Returns an error number, not -1 with errno. */
    int posix_fadvise(int fd, long offset, long length, int advice);

    int fdatasync(int fd);

    int rename(String from, String to);

    int link(String target, String name);

    int unlink(String path);

    int mkdir(String path, int mode);

    int rmdir(String path);

    int symlink(String target, String name);

    long readlink(String path, @Out byte[] buf, long size);

    int mknod(String path, int mode, long dev);

    int chmod(String path, int mode);

    int chown(String path, int uid, int gid);

    int umask(int mask);

    /** {@code times} is two struct timespec {tv_sec, tv_nsec} in a row, or null for "both now". */
    int utimensat(int dirfd, String path, @In long[] times, int flags);

    int setxattr(String path, String name, @In byte[] value, long size, int flags);

    long getxattr(String path, String name, @Out byte[] value, long size);

    long listxattr(String path, @Out byte[] list, long size);

    int removexattr(String path, String name);

    /** Used for stat, lstat and fstat: its struct has the same layout on every architecture. */
    int statx(int dirfd, String path, int flags, int mask, Pointer statxbuf);
}
