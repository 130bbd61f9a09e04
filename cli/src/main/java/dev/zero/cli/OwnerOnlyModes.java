package dev.zero.cli;

import dev.zero.store.OwnerOnly;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * Narrows to owner-only the modes of caches made before Zero kept its files private (0644
 * files in 0755 directories, readable by every local user). Zero makes every directory 0700, so
 * a wider cache directory or content directory means an older or widened tree: only then are
 * all its entries walked, so opening a cache already narrowed costs a few stats, not one per
 * content file. A local-directory remote outside the cache is judged by its own top directory,
 * and a metadata store outside the cache (its file and siblings) is checked every time.
 */
final class OwnerOnlyModes {
  private static final System.Logger LOG = System.getLogger(OwnerOnlyModes.class.getName());
  private OwnerOnlyModes() {}

  /** {@code remoteDirectory} is null when the remote is not a local directory. */
  static void narrow(Path cache, Path metadataFile, Path remoteDirectory) {
    narrowTreeIfWide(cache, cache.resolve(CacheDirectory.CONTENT));
    if (remoteDirectory != null && !remoteDirectory.startsWith(cache)) {
      narrowTreeIfWide(remoteDirectory, remoteDirectory);
    }
    if (!metadataFile.startsWith(cache)) {
      narrowMetadataFiles(metadataFile);
    }
  }

  private static void narrowTreeIfWide(Path root, Path sentinel) {
    try {
      if (isWide(root) || isWide(sentinel)) {
        // Seconds for a cache of 100,000 files, once: say why this start is slow.
        LOG.log(Level.INFO, "making every file under " + root + " readable by its owner alone (once, for caches of earlier versions)");
        narrowTree(root);
      }
    } catch (IOException e) {
      warn(root, e);
    }
  }

  private static boolean isWide(Path path) throws IOException {
    try {
      return OwnerOnly.isWider(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    } catch (NoSuchFileException e) {
      return false; // not made yet; Zero makes it owner-only
    }
  }

  /** One lstat per entry, and a chmod for each that is wider than owner-only; links are not followed. */
  private static void narrowTree(Path path) throws IOException {
    PosixFileAttributes attributes;
    try {
      attributes = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return;
    }
    if (attributes.isSymbolicLink()) {
      return;
    }
    narrow(path, attributes.permissions());
    if (attributes.isDirectory()) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(path)) {
        for (Path entry : entries) {
          narrowTree(entry);
        }
      }
    }
  }

  private static void narrowMetadataFiles(Path metadataFile) {
    Path directory = metadataFile.toAbsolutePath().getParent();
    String name = metadataFile.getFileName().toString();
    try (DirectoryStream<Path> siblings = Files.newDirectoryStream(directory, sibling -> sibling.getFileName().toString().startsWith(name))) {
      for (Path sibling : siblings) {
        if (!Files.isSymbolicLink(sibling)) {
          narrow(sibling, Files.getPosixFilePermissions(sibling));
        }
      }
    } catch (NoSuchFileException e) {
      // A new store: Zero creates it owner-only.
    } catch (IOException e) {
      warn(metadataFile, e);
    }
  }

  private static void narrow(Path path, Set<PosixFilePermission> permissions) throws IOException {
    if (OwnerOnly.isWider(permissions)) {
      Set<PosixFilePermission> owner = EnumSet.noneOf(PosixFilePermission.class);
      permissions.stream().filter(p -> p.name().startsWith("OWNER_")).forEach(owner::add);
      Files.setPosixFilePermissions(path, owner);
    }
  }

  private static void warn(Path path, IOException e) {
    LOG.log(Level.WARNING, "could not make " + path + " readable by its owner alone (" + e.getMessage() + "); run chmod -R go-rwx on it.");
  }
}
