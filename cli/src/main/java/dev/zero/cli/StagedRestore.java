package dev.zero.cli;

import dev.zero.store.InodeStore;
import dev.zero.store.InodeStore.Identity;
import dev.zero.store.InodeStore.RestoreReport;
import dev.zero.tiering.MetadataBackups;
import dev.zero.tiering.MetadataBackups.Backup;
import dev.zero.tiering.Remote;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * A restore being built in {@code <cache>/restore.tmp}: a backup downloaded and loaded into a
 * store of its own. It takes its place in the cache only once the whole backup loaded and checked
 * out, so a damaged backup leaves no half-built store that a mount would show as an empty tree,
 * back up over the good backups, and garbage-collect their content against.
 */
final class StagedRestore implements AutoCloseable {
  static final String NAME = "restore.tmp";

  private final Path dir;
  private final Path metadataFile;
  private final Path contentDir;

  private StagedRestore(Path dir, Path metadataFile) {
    this.dir = dir;
    this.metadataFile = dir.resolve("meta").resolve(metadataFile.getFileName());
    this.contentDir = dir.resolve("content");
  }

  /** Staging for {@code cache}, whose store is to be {@code metadataFile}; a killed restore's is thrown away. */
  static StagedRestore in(Path cache, Path metadataFile) throws IOException {
    StagedRestore staged = new StagedRestore(cache.resolve(NAME), metadataFile);
    staged.clear();
    return staged;
  }

  /** A directory for temporary files of the restore, removed with it. */
  Path scratch() throws IOException {
    return Files.createDirectories(dir);
  }

  /**
   * Downloads {@code backup} and loads it into a new store of filesystem {@code identity},
   * recording {@code backups} as the ones the remote keeps. Throws {@link dev.zero.store.DamagedDumpException} for a backup that is not
   * what was uploaded; then {@link #clear} before the next try.
   */
  RestoreReport build(Remote remote, Backup backup, Map<String, Long> backups, Identity identity) throws IOException {
    Files.createDirectories(dir);
    Path dump = dir.resolve("backup.zdump");
    MetadataBackups.download(remote, backup, dump);
    POSIX posix = POSIXFactory.getNativePOSIX();
    try (InodeStore store = InodeStore.open(metadataFile, contentDir, OpenCache.COMMIT_INTERVAL, posix.getuid(), posix.getgid());
        InputStream in = Files.newInputStream(dump)) {
      RestoreReport report = store.load(in);
      store.recordRestoredFrom(backups);
      store.setIdentity(identity);
      return report;
    } finally {
      Files.delete(dump);
    }
  }

  /** Moves the built store into the cache: content first, the metadata that makes it a store last. */
  void moveInto(Path cacheMetadataFile, Path cacheContentDir) throws IOException {
    if (Files.exists(contentDir)) {
      Files.move(contentDir, cacheContentDir);
    }
    InodeStore.moveMetadata(metadataFile, cacheMetadataFile);
  }

  /** Throws away whatever is staged. */
  void clear() throws IOException {
    deleteTree(dir);
  }

  @Override
  public void close() throws IOException {
    clear();
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
