package dev.zero.store;

/** A filesystem operation refused with a POSIX error. Cheap: no stack trace, it is control flow. */
public final class FsException extends Exception {
  private final Errno errno;

  public FsException(Errno errno, String message) {
    super(message, null, false, false);
    this.errno = errno;
  }

  public Errno errno() {
    return errno;
  }
}
