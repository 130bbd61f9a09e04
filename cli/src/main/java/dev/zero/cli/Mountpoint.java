package dev.zero.cli;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/** Checks that a path can take a mount, so that libfuse's own errors are never what a user sees. */
final class Mountpoint {
  private static final System.Logger LOG = System.getLogger(Mountpoint.class.getName());
  private static final POSIX POSIX = POSIXFactory.getNativePOSIX();
  private static final Path FUSE_DEVICE = Path.of("/dev/fuse");
  private static final int ENOTCONN = 107;
  private static final int O_RDONLY_DIRECTORY = 0200000;

  private Mountpoint() {}

  static Path check(Path mountpoint) throws UserError {
    Path path = mountpoint.toAbsolutePath().normalize();
    if (!Files.isReadable(FUSE_DEVICE) || !Files.isWritable(FUSE_DEVICE)) {
      throw new UserError(UserError.MOUNT, "this user may not use " + FUSE_DEVICE + " (" + describe(FUSE_DEVICE)
          + "); mount as root, or let users in with: sudo chmod 0666 " + FUSE_DEVICE + " (Debian's default).");
    }
    String type = mountType(path);
    if (type != null && isDeadZeroMount(path, type)) {
      clearDeadMount(path);
      type = null;
    }
    if (type != null) {
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

  /**
   * A Zero mount whose process died (kill -9, a crash) answers "Transport endpoint is not
   * connected" until it is unmounted; nobody can be using it, so the next mount clears it.
   */
  private static boolean isDeadZeroMount(Path path, String type) {
    if (!type.equals("fuse.zero")) {
      return false;
    }
    // Open, not stat: the kernel answers stat from its cache without asking the (dead) process.
    int fd = POSIX.open(path.toString(), O_RDONLY_DIRECTORY, 0);
    if (fd >= 0) {
      POSIX.close(fd);
      return false;
    }
    return POSIX.errno() == ENOTCONN;
  }

  private static void clearDeadMount(Path path) throws UserError {
    try {
      Process unmount = new ProcessBuilder("fusermount", "-u", "-z", path.toString()).redirectErrorStream(true).start();
      String output = new String(unmount.getInputStream().readAllBytes()).trim();
      if (unmount.waitFor() != 0) {
        throw new UserError(UserError.MOUNT, "a dead Zero mount is left on " + path + " and fusermount could not clear it ("
            + output + "); clear it with: sudo umount -l " + path);
      }
      LOG.log(Level.INFO, "cleared the dead Zero mount on " + path + " (its process was gone)");
    } catch (IOException e) {
      throw new UserError(UserError.MOUNT, "a dead Zero mount is left on " + path + " (" + e.getMessage()
          + "); clear it with: fusermount -u -z " + path);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserError(UserError.MOUNT, "interrupted while clearing the dead mount on " + path + ".");
    }
  }

  private static String describe(Path device) {
    try {
      return "mode " + PosixFilePermissions.toString(Files.getPosixFilePermissions(device));
    } catch (IOException | UnsupportedOperationException e) {
      return Files.exists(device) ? "not accessible" : "missing: load the fuse kernel module";
    }
  }

  /** A mounted Zero: where, and its cache directory (the mount's source). */
  record ZeroMount(Path mountpoint, Path cache) {}

  /**
   * The Zero mount {@code path} (absolute, symlinks resolved) is on, or null if it is on another
   * filesystem: the mount with the longest mountpoint that holds the path decides.
   */
  static ZeroMount zeroMountHolding(Path path) {
    String[] best = null;
    int bestLength = -1;
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
        String[] fields = line.split(" ");
        int separator = List.of(fields).indexOf("-");
        if (fields.length <= 4 || separator < 0 || separator + 2 >= fields.length) {
          continue;
        }
        Path mountpoint = Path.of(unescape(fields[4]));
        if (path.startsWith(mountpoint) && mountpoint.toString().length() > bestLength) {
          bestLength = mountpoint.toString().length();
          best = new String[] {mountpoint.toString(), fields[separator + 1], unescape(fields[separator + 2])};
        }
      }
    } catch (IOException e) {
      return null;
    }
    return best != null && best[1].equals("fuse.zero") ? new ZeroMount(Path.of(best[0]), Path.of(best[2])) : null;
  }

  /** The filesystem type of the mount at {@code path} ("fuse.zero", "ext4", ...), per /proc/self/mountinfo; null if none. */
  private static String mountType(Path path) {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/self/mountinfo"));
      String wanted = path.toString();
      for (String line : lines) {
        String[] fields = line.split(" ");
        if (fields.length > 4 && unescape(fields[4]).equals(wanted)) {
          int separator = List.of(fields).indexOf("-");
          return separator > 0 && separator + 1 < fields.length ? fields[separator + 1] : "unknown";
        }
      }
      return null;
    } catch (IOException e) {
      return null;
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
