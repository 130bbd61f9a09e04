package dev.zero.conformance;

import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.SaveError;

/**
 * The *at system calls (relative to a directory descriptor) that {@link Libc} does not have. Each
 * returns what libc returns (-1 on error, with errno saved).
 */
@SaveError
public interface AtLibc {
    AtLibc INSTANCE = LibraryLoader.create(AtLibc.class).load("c");

    int AT_REMOVEDIR = 0x200;

    int openat(int dirfd, String path, int flags, int mode);

    int renameat(int olddirfd, String oldpath, int newdirfd, String newpath);

    int linkat(int olddirfd, String oldpath, int newdirfd, String newpath, int flags);

    int unlinkat(int dirfd, String path, int flags);

    int mkdirat(int dirfd, String path, int mode);
}
