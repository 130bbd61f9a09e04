package dev.zero.fusekernel;

/**
 * A request's failure, answered to the kernel as {@code -errno}. It carries no stack trace:
 * ENOENT from a lookup is an ordinary answer, thrown thousands of times a second.
 */
public final class FuseException extends Exception {
  private final int errno;

  public FuseException(int errno, String message) {
    super(message, null, false, false);
    this.errno = errno;
  }

  public int errno() {
    return errno;
  }
}
