package dev.zero.cli;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Zero's settings, from the embedded default overlaid with the user's config.yml.
 *
 * @param metadataFile where the metadata store lives; relative to the cache directory unless
 *     absolute
 * @param multithreadedFuse libfuse's multithreaded loop instead of the single-threaded one
 * @param b2 the B2 bucket content moves to, or null for the local-directory remote
 * @param remoteDirectory the local-directory remote, relative to the cache unless absolute
 * @param targetBytes local disk the content may use
 * @param uploadDelay how long a file must be left unmodified before it is uploaded
 * @param backupInterval how often, at most, the metadata is backed up to the remote
 * @param gcInterval how often tiering runs the full garbage collection; zero never
 * @param filesystemName the name this filesystem's objects are kept under in the remote
 * @param minFreeBytes free space tiering keeps on the cache disk (at most a tenth of it)
 * @param capacityBytes the filesystem's size as df shows it
 * @param remoteTimeout how long a remote call is retried before it fails (a read of a
 *     remote-only file then fails with EIO)
 */
record Config(
    String metadataFile,
    boolean multithreadedFuse,
    B2Account b2,
    String remoteDirectory,
    long targetBytes,
    Duration uploadDelay,
    Duration backupInterval,
    Duration gcInterval,
    String filesystemName,
    long minFreeBytes,
    Duration remoteTimeout,
    long capacityBytes) {

  /** A B2 account and bucket; {@code url} is null for the real service. */
  record B2Account(String accountId, String applicationKey, String bucketId, String url) {}

  Path metadataFileIn(Path cache) {
    return cache.resolve(metadataFile);
  }

  Path remoteDirectoryIn(Path cache) {
    return cache.resolve(remoteDirectory);
  }
}
