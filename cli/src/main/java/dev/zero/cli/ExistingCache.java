package dev.zero.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Commands that work on a filesystem take its cache directory, which must exist already. */
final class ExistingCache {
  private ExistingCache() {}

  static Path check(Path cache) throws UserError {
    Path root = cache.toAbsolutePath().normalize();
    if (!Files.isDirectory(root.resolve("content"))) {
      throw new UserError(UserError.SETUP, root + " is not the cache directory of a Zero filesystem; name the <cache> you mount with.");
    }
    return root;
  }
}
