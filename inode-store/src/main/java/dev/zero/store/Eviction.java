package dev.zero.store;

import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Eviction: which local content may go, in what order, and its going. A clean file's local copy
 * equals its remote copy, and a stalled recall's partial content (its reader gone, it would sit
 * on the disk until the file is read again) can be fetched again, so both may be deleted, least
 * recently used first, unless {@link Holds} keep the file local. Tiering's passes, {@code
 * zero-cli evict} and a full cache disk all evict through here.
 *
 * <p>Its state is guarded by the store's monitor, which callers of the methods that say so hold.
 */
final class Eviction {
  private static final System.Logger LOG = System.getLogger(Eviction.class.getName());
  /** What making room frees beyond what was asked: a full disk is not met again at the next write. */
  private static final long ROOM_SLACK = 16L << 20;

  private final InodeStore store;
  private final Holds holds;
  private final TierIndex tiers;
  private final Recalls recalls;
  private final ContentStore content;
  private final LocalUsage usage;
  /** Inodes whose local content an eviction is deleting now: opens and recalls wait for it. */
  private final Set<Long> deleting = new HashSet<>();

  Eviction(InodeStore store, Holds holds, TierIndex tiers, Recalls recalls, ContentStore content, LocalUsage usage) {
    this.store = store;
    this.holds = holds;
    this.tiers = tiers;
    this.recalls = recalls;
    this.content = content;
    this.usage = usage;
  }

  /**
   * Makes sure {@code bytes} more content fit on the cache disk without eating into the room kept
   * free for metadata: deletions not yet committed are committed (they free their space only
   * then), and what may be evicted is, least recently used first. Fails with ENOSPC only when
   * none of that makes room. Call before writing or recalling, without holding the store's
   * monitor; nothing written so far is touched.
   */
  void makeRoomFor(long bytes) throws FsException {
    assert !Thread.holdsLock(store) : "making room waits for deletions that need the store's monitor";
    if (content.tryReserve(bytes)) {
      return;
    }
    // The space of deleted files comes back only once their deletion is committed and done,
    // possibly by another thread right now.
    store.sync();
    if (content.tryReserve(bytes)) {
      return;
    }
    store.settleRecalls(); // a file read to its end moments ago is clean once settled, and may go too
    int evicted = leastRecentlyUsed(bytes + ROOM_SLACK);
    if (evicted > 0) {
      LOG.log(Level.INFO, "the cache disk was full: evicted " + evicted + " files to make room");
    }
    content.ensureRoomFor(bytes);
  }

  /** Evicts, least recently used first, until about {@code bytes} are freed; returns how many files. */
  int leastRecentlyUsed(long bytes) {
    List<Long> batch = new ArrayList<>();
    long freed = 0;
    for (long ino : order()) {
      if (freed >= bytes) {
        break;
      }
      batch.add(ino);
      freed += usage.blocks(ino) * 512;
    }
    return batch.isEmpty() ? 0 : evict(batch);
  }

  /** What may be evicted now, least recently opened first. */
  private List<Long> order() {
    List<Long> order = new ArrayList<>();
    synchronized (store) {
      for (long ino : tiers.members(TierIndex.Tier.CLEAN)) {
        if (!holds.keepLocal(ino)) {
          order.add(ino);
        }
      }
      for (long ino : recalls.stalledInos()) {
        if (!holds.keepLocal(ino)) {
          order.add(ino);
        }
      }
      order.sort(Comparator.comparingLong(tiers::lastUsedMillis));
    }
    return order;
  }

  /**
   * Drops the local content of those of {@code inos} that may still go (clean, or stalled in
   * their recall, and not held); returns how many. The state change is committed before any
   * file is deleted, so a crash never leaves a "local" file without its content.
   */
  int evict(List<Long> inos) {
    List<Long> evicted = new ArrayList<>();
    synchronized (store) {
      for (long ino : inos) {
        Inode inode = store.inodeOrNull(ino);
        if (inode == null || holds.keepLocal(ino)) {
          continue;
        }
        boolean clean = tiers.contains(TierIndex.Tier.CLEAN, ino);
        if (clean || (inode.content() == ContentState.REMOTE && recalls.stalledFor(ino))) {
          if (clean) {
            store.saveUnversioned(inode.withContentState(ContentState.REMOTE, inode.remote()));
          }
          // A finished recall not yet settled must not vouch for the local copy deleted below.
          recalls.drop(ino);
          deleting.add(ino);
          evicted.add(ino);
        }
      }
    }
    try {
      store.sync(); // the state says remote, durably, before a local copy goes
    } catch (UncheckedIOException e) {
      done(evicted); // nothing is deleted; the files are recalled if read
      throw e;
    }
    // Deleting files takes time: outside the lock, so that operations on other files go on.
    for (long ino : evicted) {
      content.delete(ino);
      usage.emptied(ino);
      store.attributesChanged(ino); // st_blocks is 0 now
      if (LOG.isLoggable(Level.DEBUG)) {
        LOG.log(Level.DEBUG, "evicted " + store.pathOf(ino));
      }
    }
    done(evicted);
    return evicted.size();
  }

  private void done(List<Long> evicted) {
    synchronized (store) {
      deleting.removeAll(evicted);
      store.notifyAll();
    }
  }

  /**
   * Waits, letting others take the store's monitor (which the caller holds), until no eviction
   * is deleting {@code ino}'s content: else an open could get the content file being deleted, or
   * a truncate write what the deletion takes.
   */
  void awaitDeleted(long ino) throws FsException {
    assert Thread.holdsLock(store);
    while (deleting.contains(ino)) {
      try {
        store.wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new FsException(Errno.EIO, "interrupted while inode " + ino + " was being evicted");
      }
    }
  }
}
