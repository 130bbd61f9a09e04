package dev.zero.cli;

import dev.zero.store.InodeStore;
import dev.zero.tiering.B2Remote;
import dev.zero.tiering.B2Settings;
import dev.zero.tiering.FilesystemClaim;
import dev.zero.tiering.FilesystemLayout;
import dev.zero.tiering.LocalDirectoryRemote;
import dev.zero.tiering.Remote;
import dev.zero.tiering.RemoteException;
import dev.zero.tiering.TieringEngine;
import dev.zero.tiering.TieringPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Builds the remote and the tiering engine a configuration asks for. */
final class TieringSetup {
  private static final int UPLOAD_THREADS = 4;

  private TieringSetup() {}

  static TieringEngine engine(InodeStore store, Config config, Path cache, boolean takeOver) throws UserError {
    Remote remote = openRemote(config, cache);
    FilesystemClaim claim = new FilesystemClaim(store, remote, new FilesystemLayout(config.filesystemName()), cache, takeOver);
    return new TieringEngine(store, remote, claim,
        new TieringPolicy(config.targetBytes(), config.uploadDelay(), UPLOAD_THREADS, config.backupInterval(),
            config.gcInterval(), minFreeBytes(config, cache)), cache);
  }

  /** The free space to keep, at most a tenth of the cache disk: a small disk must still hold content. */
  private static long minFreeBytes(Config config, Path cache) {
    try {
      return Math.min(config.minFreeBytes(), Files.getFileStore(cache).getTotalSpace() / 10);
    } catch (IOException e) {
      return config.minFreeBytes();
    }
  }

  static Remote openRemote(Config config, Path cache) throws UserError {
    Config.B2Account b2 = config.b2();
    if (b2 == null) {
      Path dir = config.remoteDirectoryIn(cache);
      try {
        return new LocalDirectoryRemote(dir);
      } catch (RemoteException e) {
        throw new UserError(UserError.SETUP, "cannot use " + dir + " as the remote (" + e.getMessage() + "); set remoteDirectory in config.yml to a writable directory.");
      }
    }
    Retries retries = Retries.within(config.remoteTimeout());
    return new B2Remote(new B2Settings(b2.accountId(), b2.applicationKey(), b2.bucketId(), b2.url(),
        B2Settings.DEFAULT_LARGE_FILE_THRESHOLD, UPLOAD_THREADS, retries.attempts(), retries.maxBackoff()));
  }

  /**
   * Attempts of a remote call whose waits, doubling from 1 s, add up to at most {@code timeout}:
   * 15 s gives waits of 1, 2, 4 and 8 s, so that reading a file while B2 is down fails with EIO
   * in bounded time instead of hanging the reader. Always 2 attempts at least, so that an expired
   * token can be renewed.
   */
  record Retries(int attempts, Duration maxBackoff) {
    static Retries within(Duration timeout) {
      long budget = timeout.toSeconds();
      int attempts = 1;
      long waited = 0;
      long wait = 1;
      while (waited + wait <= budget) {
        waited += wait;
        attempts++;
        wait *= 2;
      }
      return new Retries(Math.max(2, attempts), Duration.ofSeconds(Math.max(1, wait / 2)));
    }
  }
}
