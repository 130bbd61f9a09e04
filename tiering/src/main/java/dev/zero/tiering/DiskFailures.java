package dev.zero.tiering;

import java.io.IOException;
import java.nio.file.FileSystemException;

/** Local disk errors as the {@link RemoteException} a person can act on. */
final class DiskFailures {
  private DiskFailures() {}

  /**
   * A {@link RemoteException.Kind#REFUSED} for {@code e}, which happened while doing {@code action}
   * (e.g. "storing object 'k'") on {@code place} (e.g. "the remote directory /r").
   */
  static RemoteException refused(String action, String place, IOException e) {
    if (isDiskFull(e)) {
      return new RemoteException(
          RemoteException.Kind.REFUSED,
          capitalized(action)
              + " failed because the disk holding "
              + place
              + " is full: free some space there and try again",
          e);
    }
    return new RemoteException(
        RemoteException.Kind.REFUSED,
        capitalized(action) + " failed (" + describe(e) + "): check " + place,
        e);
  }

  /** ENOSPC, or EDQUOT which asks the same of the user. */
  static boolean isDiskFull(IOException e) {
    String reason = describe(e);
    return reason.contains("No space left on device") || reason.contains("Disk quota exceeded");
  }

  private static String describe(IOException e) {
    if (e instanceof FileSystemException fs && fs.getReason() != null) {
      return fs.getFile() == null ? fs.getReason() : fs.getFile() + ": " + fs.getReason();
    }
    String type = e.getClass().getSimpleName();
    return e.getMessage() == null ? type : type + ": " + e.getMessage();
  }

  private static String capitalized(String text) {
    return Character.toUpperCase(text.charAt(0)) + text.substring(1);
  }
}
