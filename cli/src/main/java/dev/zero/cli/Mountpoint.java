package dev.zero.cli;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Checks that a path can take a mount, so that libfuse's own errors are never what a user sees. */
final class Mountpoint {
  private Mountpoint() {}

  static Path check(Path mountpoint) throws UserError {
    Path path = mountpoint.toAbsolutePath().normalize();
    if (isMounted(path)) {
      throw new UserError(UserError.MOUNT, "something is already mounted on " + path + "; unmount it first with: fusermount -u " + path);
    }
    if (!Files.exists(path)) {
      throw new UserError(UserError.MOUNT, "mountpoint " + path + " does not exist; create it with: mkdir -p " + path);
    }
    if (!Files.isDirectory(path)) {
      throw new UserError(UserError.MOUNT, "mountpoint " + path + " is not a directory; mount on an empty directory.");
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(path)) {
      if (entries.iterator().hasNext()) {
        throw new UserError(UserError.MOUNT, "mountpoint " + path + " is not empty; mount on an empty directory so nothing in it is hidden.");
      }
    } catch (IOException e) {
      throw new UserError(UserError.MOUNT, "cannot read mountpoint " + path + " (" + e.getMessage() + ").");
    }
    return path;
  }

  /** Whether the kernel has a mount at {@code path}, per /proc/self/mountinfo. */
  static boolean isMounted(Path path) {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/self/mountinfo"));
      String wanted = path.toString();
      for (String line : lines) {
        String[] fields = line.split(" ");
        if (fields.length > 4 && unescape(fields[4]).equals(wanted)) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  /** mountinfo writes space, tab, newline and backslash as octal escapes. */
  private static String unescape(String field) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && i + 4 <= field.length()) {
        out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
