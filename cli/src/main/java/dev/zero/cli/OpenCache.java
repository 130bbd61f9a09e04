package dev.zero.cli;

import dev.zero.store.InodeStore;
import dev.zero.store.JournalDamage;
import dev.zero.tiering.TieringEngine;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/** A locked cache directory with its store open and its tiering engine ready. */
final class OpenCache implements AutoCloseable {
  /** How long a metadata change may wait for its commit; fsync commits at once. */
  static final Duration COMMIT_INTERVAL = Duration.ofMillis(200);

  private final CacheDirectory directory;
  private final InodeStore store;
  private final TieringEngine engine;

  private OpenCache(CacheDirectory directory, InodeStore store, TieringEngine engine) {
    this.directory = directory;
    this.store = store;
    this.engine = engine;
  }

  static OpenCache open(CacheDirectory directory, Config config) throws UserError, IOException {
    return open(directory, config, false);
  }

  /**
   * {@code takeOver}: the filesystem's mount lease may be taken from another machine (see
   * {@link dev.zero.tiering.FilesystemClaim}).
   */
  static OpenCache open(CacheDirectory directory, Config config, boolean takeOver) throws UserError, IOException {
    POSIX posix = POSIXFactory.getNativePOSIX();
    Path metadataFile = config.metadataFileIn(directory.root());
    OwnerOnlyModes.narrow(directory.root(), metadataFile, config.b2() == null ? config.remoteDirectoryIn(directory.root()) : null);
    InodeStore store;
    try {
      store = InodeStore.open(metadataFile, directory.contentDir(), COMMIT_INTERVAL, posix.getuid(), posix.getgid());
    } catch (JournalDamage e) {
      directory.close();
      throw new UserError(UserError.SETUP, recovery(e, directory.root()));
    } catch (IOException | RuntimeException e) {
      directory.close();
      throw new UserError(UserError.SETUP, "cannot open the metadata store " + metadataFile + " (" + e.getMessage() + "); check the path and that no other process uses it.");
    }
    try {
      return new OpenCache(directory, store, TieringSetup.engine(store, config, directory.root(), takeOver));
    } catch (UserError e) {
      store.close();
      directory.close();
      throw e;
    }
  }

  /** What is damaged, and the two ways out: keep the intact records, or restore a backup. */
  static String recovery(JournalDamage damage, Path cache) {
    return damage.description() + "; nothing was changed: zero-cli fsck --repair " + cache
        + " keeps the records before byte " + damage.offset() + ", or zero-cli restore <new cache> restores the newest backup.";
  }

  Path root() {
    return directory.root();
  }

  InodeStore store() {
    return store;
  }

  TieringEngine engine() {
    return engine;
  }

  @Override
  public void close() throws IOException {
    engine.close();
    store.close();
    directory.close();
  }
}
