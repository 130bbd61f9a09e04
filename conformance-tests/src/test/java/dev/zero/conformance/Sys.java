package dev.zero.conformance;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jnr.constants.platform.OpenFlags;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * Checked wrappers over {@link Libc}: each returns the call's result or throws an
 * {@link ErrnoException} naming the call, its path and the errno.
 */
public final class Sys {
    public static final int O_RDONLY = OpenFlags.O_RDONLY.intValue();
    public static final int O_WRONLY = OpenFlags.O_WRONLY.intValue();
    public static final int O_RDWR = OpenFlags.O_RDWR.intValue();
    public static final int O_CREAT = OpenFlags.O_CREAT.intValue();
    public static final int O_EXCL = OpenFlags.O_EXCL.intValue();
    public static final int O_TRUNC = OpenFlags.O_TRUNC.intValue();
    public static final int O_APPEND = OpenFlags.O_APPEND.intValue();
    public static final int O_NONBLOCK = OpenFlags.O_NONBLOCK.intValue();
    public static final int O_DIRECTORY = OpenFlags.O_DIRECTORY.intValue();
    public static final int O_NOFOLLOW = OpenFlags.O_NOFOLLOW.intValue();

    public static final int SEEK_SET = 0;
    public static final int SEEK_CUR = 1;

    public static final int AT_FDCWD = -100;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int STATX_BASIC_STATS = 0x7ff;
    private static final int STATX_SIZE = 256;

    public static final long UTIME_NOW = (1L << 30) - 1;
    public static final long UTIME_OMIT = (1L << 30) - 2;

    private static final int POSIX_FADV_DONTNEED = 4;

    public static final int XATTR_CREATE = 1;
    public static final int XATTR_REPLACE = 2;

    private static final Libc LIBC = Libc.INSTANCE;
    private static final Runtime RUNTIME = Runtime.getRuntime(LIBC);

    static {
        // Every expected mode in the suite assumes umask 022; the tools the suite starts inherit it.
        LIBC.umask(022);
    }

    private Sys() {}

    private static int check(int result, String call) {
        if (result == -1) {
            throw new ErrnoException(call, RUNTIME.getLastError());
        }
        return result;
    }

    private static long check(long result, String call) {
        if (result == -1) {
            throw new ErrnoException(call, RUNTIME.getLastError());
        }
        return result;
    }

    public static Fd open(Path path, int flags) {
        return open(path, flags, 0);
    }

    public static Fd open(Path path, int flags, int mode) {
        return new Fd(check(LIBC.open(path.toString(), flags, mode), "open(" + path + ")"), path);
    }

    /** Creates (or truncates) a file with mode 0644 and writes {@code content} into it. */
    public static void writeFile(Path path, byte[] content) {
        try (Fd fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) {
            fd.write(content);
        }
    }

    public static void writeFile(Path path, String content) {
        writeFile(path, content.getBytes(StandardCharsets.UTF_8));
    }

    /** Creates an empty file with mode 0644. */
    public static void touch(Path path) {
        writeFile(path, new byte[0]);
    }

    public static byte[] readFile(Path path) {
        try (Fd fd = open(path, O_RDONLY)) {
            return fd.readToEnd();
        }
    }

    public static String readString(Path path) {
        return new String(readFile(path), StandardCharsets.UTF_8);
    }

    public static Stat stat(Path path) {
        return statx(AT_FDCWD, path.toString(), 0, "stat(" + path + ")");
    }

    public static Stat lstat(Path path) {
        return statx(AT_FDCWD, path.toString(), AT_SYMLINK_NOFOLLOW, "lstat(" + path + ")");
    }

    static Stat fstat(int fd, Path path) {
        return statx(fd, "", AT_EMPTY_PATH, "fstat(" + path + ")");
    }

    private static Stat statx(int dirfd, String path, int flags, String call) {
        Pointer buf = Memory.allocateDirect(RUNTIME, STATX_SIZE);
        check(LIBC.statx(dirfd, path, flags, STATX_BASIC_STATS, buf), call);
        return Stat.fromStatx(buf);
    }

    public static void truncate(Path path, long length) {
        check(LIBC.truncate(path.toString(), length), "truncate(" + path + ", " + length + ")");
    }

    public static void rename(Path from, Path to) {
        check(LIBC.rename(from.toString(), to.toString()), "rename(" + from + ", " + to + ")");
    }

    public static void link(Path target, Path name) {
        check(LIBC.link(target.toString(), name.toString()), "link(" + target + ", " + name + ")");
    }

    public static void unlink(Path path) {
        check(LIBC.unlink(path.toString()), "unlink(" + path + ")");
    }

    /** mkdir with the given mode, then chmod so that the mode is exact whatever the umask. */
    public static Path mkdir(Path path, int mode) {
        check(LIBC.mkdir(path.toString(), mode), "mkdir(" + path + ")");
        chmod(path, mode);
        return path;
    }

    public static Path mkdir(Path path) {
        return mkdir(path, 0755);
    }

    public static void rmdir(Path path) {
        check(LIBC.rmdir(path.toString()), "rmdir(" + path + ")");
    }

    public static void symlink(String target, Path name) {
        check(LIBC.symlink(target, name.toString()), "symlink(" + target + ", " + name + ")");
    }

    public static String readlink(Path path) {
        byte[] buf = new byte[8192];
        int n = (int) check(LIBC.readlink(path.toString(), buf, buf.length), "readlink(" + path + ")");
        return new String(buf, 0, n, StandardCharsets.UTF_8);
    }

    public static void mknod(Path path, int mode, long dev) {
        check(LIBC.mknod(path.toString(), mode, dev), "mknod(" + path + ")");
    }

    public static void mkfifo(Path path, int perms) {
        mknod(path, Stat.S_IFIFO | perms, 0);
    }

    /** glibc's makedev(). */
    public static long makedev(int major, int minor) {
        return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8)
                | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
    }

    public static void chmod(Path path, int mode) {
        check(LIBC.chmod(path.toString(), mode), "chmod(" + path + ", 0" + Integer.toOctalString(mode) + ")");
    }

    public static void chown(Path path, int uid, int gid) {
        check(LIBC.chown(path.toString(), uid, gid), "chown(" + path + ", " + uid + ", " + gid + ")");
    }

    /** utimensat(AT_FDCWD, path, {atime, mtime}, 0). */
    public static void setTimes(Path path, Instant atime, Instant mtime) {
        utimensat(path, timespec(atime), timespec(mtime), 0);
    }

    /**
     * utimensat with raw timespecs {tv_sec, tv_nsec}; tv_nsec may be {@link #UTIME_NOW} or
     * {@link #UTIME_OMIT}.
     */
    public static void utimensat(Path path, long[] atime, long[] mtime, int flags) {
        long[] times = {atime[0], atime[1], mtime[0], mtime[1]};
        check(LIBC.utimensat(AT_FDCWD, path.toString(), times, flags), "utimensat(" + path + ")");
    }

    public static long[] timespec(Instant t) {
        return new long[] {t.getEpochSecond(), t.getNano()};
    }

    public static void setxattr(Path path, String name, byte[] value, int flags) {
        check(LIBC.setxattr(path.toString(), name, value, value.length, flags),
                "setxattr(" + path + ", " + name + ")");
    }

    public static void setxattr(Path path, String name, String value) {
        setxattr(path, name, value.getBytes(StandardCharsets.UTF_8), 0);
    }

    /** getxattr into a buffer of {@code bufferSize} bytes; returns the bytes the call filled. */
    public static byte[] getxattr(Path path, String name, int bufferSize) {
        byte[] buf = new byte[bufferSize];
        int n = (int) check(LIBC.getxattr(path.toString(), name, buf, bufferSize), "getxattr(" + path + ", " + name + ")");
        return Arrays.copyOf(buf, n);
    }

    public static byte[] getxattr(Path path, String name) {
        return getxattr(path, name, 65536);
    }

    /** getxattr with size 0: the length of the value. */
    public static long getxattrSize(Path path, String name) {
        return check(LIBC.getxattr(path.toString(), name, null, 0), "getxattr(" + path + ", " + name + ", size 0)");
    }

    /** listxattr into a buffer of {@code bufferSize} bytes; returns the names it filled in. */
    public static List<String> listxattr(Path path, int bufferSize) {
        byte[] buf = new byte[bufferSize];
        int n = (int) check(LIBC.listxattr(path.toString(), buf, bufferSize), "listxattr(" + path + ")");
        List<String> names = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < n; i++) {
            if (buf[i] == 0) {
                names.add(new String(buf, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return names;
    }

    public static List<String> listxattr(Path path) {
        return listxattr(path, 65536);
    }

    /** listxattr with size 0: the length of the whole NUL-separated list. */
    public static long listxattrSize(Path path) {
        return check(LIBC.listxattr(path.toString(), null, 0), "listxattr(" + path + ", size 0)");
    }

    public static void removexattr(Path path, String name) {
        check(LIBC.removexattr(path.toString(), name), "removexattr(" + path + ", " + name + ")");
    }

    /** Opens the directory and fsyncs it, as a program does to make its entries durable. */
    public static void fsyncDirectory(Path dir) {
        try (Fd fd = open(dir, O_RDONLY | O_DIRECTORY)) {
            fd.fsync();
        }
    }

    // Called by Fd.

    static void fadviseDontNeed(int fd, Path path) {
        int error = LIBC.posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
        if (error != 0) {
            throw new ErrnoException("posix_fadvise(" + path + ", DONTNEED)", error);
        }
    }

    /** Drops the kernel's cached pages of a file, so that the next read asks the filesystem. */
    public static void dropPageCache(Path path) {
        try (Fd fd = open(path, O_RDONLY)) {
            fd.dropCachedPages();
        }
    }

    static int close(int fd, Path path) {
        return check(LIBC.close(fd), "close(" + path + ")");
    }

    static int write(int fd, byte[] buf, int count, Path path) {
        return (int) check(LIBC.write(fd, buf, count), "write(" + path + ")");
    }

    static int read(int fd, byte[] buf, int count, Path path) {
        return (int) check(LIBC.read(fd, buf, count), "read(" + path + ")");
    }

    static int pwrite(int fd, byte[] buf, int count, long offset, Path path) {
        return (int) check(LIBC.pwrite(fd, buf, count, offset), "pwrite(" + path + ", offset " + offset + ")");
    }

    static int pread(int fd, byte[] buf, int count, long offset, Path path) {
        return (int) check(LIBC.pread(fd, buf, count, offset), "pread(" + path + ", offset " + offset + ")");
    }

    static long lseek(int fd, long offset, int whence, Path path) {
        return check(LIBC.lseek(fd, offset, whence), "lseek(" + path + ")");
    }

    static void ftruncate(int fd, long length, Path path) {
        check(LIBC.ftruncate(fd, length), "ftruncate(" + path + ", " + length + ")");
    }

    static void fsync(int fd, Path path) {
        check(LIBC.fsync(fd), "fsync(" + path + ")");
    }

    static void fdatasync(int fd, Path path) {
        check(LIBC.fdatasync(fd), "fdatasync(" + path + ")");
    }
}
