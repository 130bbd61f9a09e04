package dev.zero.conformance;

import jnr.constants.platform.Errno;

/** A libc call returned -1; carries the errno it set. */
public final class ErrnoException extends RuntimeException {
    private final int errno;

    ErrnoException(String call, int errno) {
        super(call + " failed with " + describe(errno));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    /** For messages: "ENOENT (No such file or directory)". */
    public static String describe(int errno) {
        Errno e = Errno.valueOf(errno);
        return e == Errno.__UNKNOWN_CONSTANT__ ? "errno " + errno : e.name() + " (" + e.description() + ")";
    }

    public static String describe(Errno errno) {
        return describe(errno.intValue());
    }
}
