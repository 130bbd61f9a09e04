package dev.zero.conformance;

import static org.junit.jupiter.api.Assertions.fail;

import jnr.constants.platform.Errno;

/** Asserts that a system call fails with one particular errno. */
public final class ErrnoAssertions {
    /** A call made through {@link Sys}; a returned {@link AutoCloseable} is closed. */
    @FunctionalInterface
    public interface Call {
        Object run();
    }

    private ErrnoAssertions() {}

    public static void assertErrno(Errno expected, Call call, String what) {
        Object result;
        try {
            result = call.run();
        } catch (ErrnoException e) {
            if (e.errno() != expected.intValue()) {
                fail(what + ": expected " + ErrnoException.describe(expected) + " but " + e.getMessage());
            }
            return;
        }
        if (result instanceof AutoCloseable resource) {
            try {
                resource.close();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        fail(what + ": expected " + ErrnoException.describe(expected) + " but the call succeeded");
    }

    /** For calls that return nothing. */
    public static void assertErrno(Errno expected, Runnable call, String what) {
        assertErrno(expected, () -> {
            call.run();
            return null;
        }, what);
    }
}
