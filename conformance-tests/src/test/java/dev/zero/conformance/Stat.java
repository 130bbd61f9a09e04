package dev.zero.conformance;

import java.time.Instant;
import jnr.ffi.Pointer;

/** What stat, lstat and fstat report, read from a {@code struct statx}. */
public record Stat(
        long ino,
        long nlink,
        int mode,
        int uid,
        int gid,
        long size,
        long blocks,
        int rdevMajor,
        int rdevMinor,
        int devMajor,
        int devMinor,
        Instant atime,
        Instant mtime,
        Instant ctime) {

    public static final int S_IFMT = 0170000;
    public static final int S_IFIFO = 0010000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFLNK = 0120000;

    /** Reads the fields from a struct statx (linux/stat.h; the same layout on every architecture). */
    static Stat fromStatx(Pointer buf) {
        return new Stat(
                buf.getLong(32),
                buf.getInt(16) & 0xffffffffL,
                buf.getShort(28) & 0xffff,
                buf.getInt(20),
                buf.getInt(24),
                buf.getLong(40),
                buf.getLong(48),
                buf.getInt(128),
                buf.getInt(132),
                buf.getInt(136),
                buf.getInt(140),
                timestamp(buf, 64),
                timestamp(buf, 112),
                timestamp(buf, 96));
    }

    private static Instant timestamp(Pointer buf, int offset) {
        return Instant.ofEpochSecond(buf.getLong(offset), buf.getInt(offset + 8));
    }

    /** Whether {@code other} lies on the same filesystem (the same st_dev). */
    public boolean sameDevice(Stat other) {
        return devMajor == other.devMajor && devMinor == other.devMinor;
    }

    /** The file type bits, one of the S_IF* constants. */
    public int type() {
        return mode & S_IFMT;
    }

    /** The permission bits including set-user-ID, set-group-ID and sticky. */
    public int permissions() {
        return mode & 07777;
    }

    public boolean isRegularFile() {
        return type() == S_IFREG;
    }

    public boolean isDirectory() {
        return type() == S_IFDIR;
    }

    public boolean isSymlink() {
        return type() == S_IFLNK;
    }

    public boolean isFifo() {
        return type() == S_IFIFO;
    }

    public boolean isCharDevice() {
        return type() == S_IFCHR;
    }
}
