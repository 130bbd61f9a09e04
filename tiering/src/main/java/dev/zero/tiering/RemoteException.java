package dev.zero.tiering;

import java.io.IOException;

/** A remote call that failed after the retries the remote allows. */
public final class RemoteException extends IOException {
  /** What went wrong, as far as the caller must act on it. */
  public enum Kind {
    /** The remote is unreachable or failing (network, 5xx, timeouts): try again later. */
    UNAVAILABLE,
    /** The credentials were refused: the user must fix the configuration. */
    UNAUTHORIZED,
    /** The object does not exist. */
    NOT_FOUND,
    /** Anything else the remote refused (bad request, cap exceeded, ...). */
    REFUSED
  }

  private final Kind kind;

  public RemoteException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
