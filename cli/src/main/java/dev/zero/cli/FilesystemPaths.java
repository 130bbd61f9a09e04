package dev.zero.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The paths a command names, as the cache of the filesystem they are in and their paths inside
 * it ("docs/report.pdf"; "" for the root). They are paths on a mounted Zero, or, with {@code
 * --cache}, paths inside the filesystem of that cache, mounted or not.
 */
record FilesystemPaths(Path cache, List<String> inside) {
  static FilesystemPaths of(List<Path> paths, Path cacheOption) throws UserError {
    List<String> inside = new ArrayList<>();
    if (cacheOption != null) {
      for (Path path : paths) {
        inside.add(Path.of("/").resolve(path).normalize().toString().substring(1));
      }
      return new FilesystemPaths(cacheOption.toAbsolutePath().normalize(), inside);
    }
    Mountpoint.ZeroMount mount = null;
    for (Path path : paths) {
      Path real = real(path);
      Mountpoint.ZeroMount holding = Mountpoint.zeroMountHolding(real);
      if (holding == null) {
        throw new UserError(2, path + " is not on a mounted Zero filesystem; name a path on one, or give --cache"
            + " with paths inside the filesystem.");
      }
      if (mount != null && !mount.equals(holding)) {
        throw new UserError(2, "the paths are on two Zero filesystems (" + mount.mountpoint() + " and "
            + holding.mountpoint() + "); name paths on one at a time.");
      }
      mount = holding;
      inside.add(mount.mountpoint().relativize(real).toString());
    }
    return new FilesystemPaths(mount.cache(), inside);
  }

  /** The path with its directory's symlinks resolved, but not its own last name: ls of a link shows the link. */
  private static Path real(Path path) throws UserError {
    Path absolute = path.toAbsolutePath().normalize();
    try {
      Path parent = absolute.getParent();
      return parent == null ? absolute : parent.toRealPath().resolve(absolute.getFileName());
    } catch (IOException e) {
      throw new UserError(1, "cannot find " + path + " (" + e.getMessage() + "); check the path.");
    }
  }
}
