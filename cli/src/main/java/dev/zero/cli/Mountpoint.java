package dev.zero.cli;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/** Checks that a path can take a mount, so that libfuse's own errors are never what a user sees. */
final class Mountpoint {
  private static final System.Logger LOG = System.getLogger(Mountpoint.class.getName());
  private static final POSIX POSIX = POSIXFactory.getNativePOSIX();
  private static final Path FUSE_DEVICE = Path.of("/dev/fuse");
  private static final int ENOTCONN = 107;
  private static final int O_RDONLY = 0;

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
    // The lookup of a name never asked for: the kernel answers a stat, or an open of the
    // directory, from its cache without asking the (dead) process, but not this.
    int fd = POSIX.open(path.resolve(".zero-probe-" + System.nanoTime()).toString(), O_RDONLY, 0);
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
    Mount best = null;
    for (Mount mount : mounts()) {
      if (path.startsWith(mount.mountpoint())
          && (best == null || mount.mountpoint().toString().length() > best.mountpoint().toString().length())) {
        best = mount;
      }
    }
    return best != null && best.type().equals("fuse.zero") ? new ZeroMount(best.mountpoint(), Path.of(best.source())) : null;
  }

  /** The filesystem type of the mount at {@code path} ("fuse.zero", "ext4", ...); null if none. */
  private static String mountType(Path path) {
    for (Mount mount : mounts()) {
      if (mount.mountpoint().equals(path)) {
        return mount.type();
      }
    }
    return null;
  }

  /** One line of /proc/self/mountinfo: where, the filesystem type, and the source. */
  private record Mount(Path mountpoint, String type, String source) {}

  /** This process's mounts, in mountinfo's order; none if it cannot be read. */
  private static List<Mount> mounts() {
    List<Mount> mounts = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
        String[] fields = line.split(" ");
        if (fields.length <= 4) {
          continue;
        }
        int separator = List.of(fields).indexOf("-");
        String type = separator > 0 && separator + 1 < fields.length ? fields[separator + 1] : "unknown";
        String source = separator > 0 && separator + 2 < fields.length ? unescape(fields[separator + 2]) : "";
        mounts.add(new Mount(Path.of(unescape(fields[4])), type, source));
      }
    } catch (IOException e) {
      return List.of();
    }
    return mounts;
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
