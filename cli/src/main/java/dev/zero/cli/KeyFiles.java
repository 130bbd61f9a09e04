package dev.zero.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Files that hold a B2 application key (config.yml, the emulator's key file). Whoever reads the
 * key owns the bucket, so, as ssh does for private keys, a key file that other users can read
 * gets one warning line; Zero still uses it.
 */
final class KeyFiles {
  private KeyFiles() {}

  static void warnIfReadableByOthers(Path file) {
    try {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
      if (permissions.contains(PosixFilePermission.GROUP_READ) || permissions.contains(PosixFilePermission.OTHERS_READ)) {
        System.err.println("zero: warning: " + file + " holds a B2 application key and is readable by other users; chmod 600 it.");
      }
    } catch (IOException | UnsupportedOperationException e) {
      // Unreadable modes: reading the key itself will report what is wrong.
    }
  }
}
