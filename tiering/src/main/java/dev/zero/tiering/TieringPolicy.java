package dev.zero.tiering;

import java.time.Duration;

/**
 * What tiering aims for.
 *
 * @param targetBytes local disk the content may use; above it, clean content is evicted
 * @param uploadDelay how long a file must be left unmodified before it is uploaded
 * @param uploadThreads how many files upload at once
 * @param backupInterval how often, at most, the metadata is backed up to the remote while it
 *     changes
 * @param gcInterval how often a pass runs the full garbage collection, which lists the remote;
 *     zero never
 * @param minFreeBytes free space kept on the cache disk: below it, clean content is evicted
 *     even under the target, and nothing is prefetched
 */
public record TieringPolicy(
    long targetBytes, Duration uploadDelay, int uploadThreads, Duration backupInterval, Duration gcInterval,
    long minFreeBytes) {
  /** Eviction goes a little below the target, so the next few writes do not evict again. */
  static final double EVICT_DOWN_TO = 0.95;
  /** Prefetch fills the disk only up to here, leaving room for new writes. */
  static final double PREFETCH_UP_TO = 0.8;
  /** At most this many files and bytes are prefetched per pass (B2 charges for every download). */
  public static final int PREFETCH_FILES_PER_PASS = 20;
  public static final long PREFETCH_BYTES_PER_PASS = 256L << 20;
  /** Only remote files used this recently are recalled ahead of use. */
  static final Duration PREFETCH_RECENT = Duration.ofDays(1);
}
