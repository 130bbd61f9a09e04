package dev.zero.tiering;

import dev.zero.store.InodeStore;
import dev.zero.store.InodeStore.RemoteFile;
import dev.zero.store.Uploads.UploadJob;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongPredicate;

/**
 * Moves content between local disk and a {@link Remote}, by inode: a hard-linked file is one
 * inode, so it is uploaded, evicted and recalled once. A pass deletes remote objects nothing
 * refers to any more, uploads quiet dirty files, evicts least recently used clean files while
 * local usage is above the target, recalls recently used remote files while there is room,
 * backs the metadata up when a backup is due, and runs the full garbage collection when one is
 * due.
 */
public final class TieringEngine implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(TieringEngine.class.getName());
  private final InodeStore store;
  private final Remote remote;
  private final FilesystemClaim claim;
  private final FilesystemLayout layout;
  private final TieringPolicy policy;
  private final ExecutorService uploaders;
  private final RecentErrors errors = new RecentErrors();
  private final MetadataBackups backups;
  /** Passes, backups and garbage collection never overlap: a collection must not see an upload half-recorded. */
  private final Object oneAtATime = new Object();
  private long lastBackupMillis;
  private long lastCollectionMillis;
  private volatile Prefetched lastPrefetch = new Prefetched(0, 0);

  /** What the last pass prefetched: files and bytes, one download each (a file's recall streams). */
  public record Prefetched(long files, long bytes) {}

  /** Files and bytes waiting to be prefetched: remote-only, and used within {@link TieringPolicy#PREFETCH_RECENT}. */
  public record PrefetchBacklog(long files, long bytes) {}

  /**
   * {@code scratch} is a directory on local disk for temporary copies of backups. Nothing is
   * written to or deleted from the remote unless {@code claim} holds.
   */
  public TieringEngine(InodeStore store, Remote remote, FilesystemClaim claim, TieringPolicy policy, Path scratch) {
    this.store = store;
    this.remote = remote;
    this.claim = claim;
    this.layout = claim.layout();
    this.policy = policy;
    this.backups = new MetadataBackups(store, remote, layout, scratch);
    // The first backup is due one interval after start; what the last run left unsaved was
    // backed up at its unmount, or is the recovery point's loss if it crashed.
    this.lastBackupMillis = System.currentTimeMillis();
    // Likewise the first collection: mounting never lists the bucket.
    this.lastCollectionMillis = lastBackupMillis;
    this.uploaders = Executors.newFixedThreadPool(policy.uploadThreads(), r -> {
      Thread thread = new Thread(r, "zero-upload");
      thread.setDaemon(true);
      return thread;
    });
    store.setFetcher(new RemoteFetcher(remote, errors));
  }

  public Prefetched lastPrefetch() {
    return lastPrefetch;
  }

  public PrefetchBacklog prefetchBacklog() {
    List<RemoteFile> waiting = store.prefetchCandidates(TieringPolicy.PREFETCH_RECENT);
    return new PrefetchBacklog(waiting.size(), waiting.stream().mapToLong(RemoteFile::size).sum());
  }

  public RecentErrors errors() {
    return errors;
  }

  public TieringPolicy policy() {
    return policy;
  }

  public FilesystemLayout layout() {
    return layout;
  }

  /** Which remote, for people: "B2 bucket ..." or "local directory ...", and the filesystem's name in it. */
  public String remoteName() {
    return remote + ", filesystem '" + layout + "'";
  }

  /**
   * Claims the remote's filesystem for this store now (see {@link FilesystemClaim}); a mount does
   * this before it mounts. Passes claim it themselves when it is not yet.
   */
  public void claim() throws IOException {
    claim.ensure();
  }

  /**
   * Runs one pass; {@code progress} sees the counts after each file moved. A pass a user asks
   * for ({@code explicit}) uploads every dirty file nobody is writing; background passes only
   * those left alone for the upload delay.
   */
  public TierReport runOnce(Consumer<TierReport> progress, boolean explicit) {
    synchronized (oneAtATime) {
      Pass pass = new Pass(progress);
      store.settleRecalls(); // recalled files become clean, so eviction may take them
      boolean mayWrite = mayWrite(pass);
      if (mayWrite) {
        deleteGarbage(pass);
        upload(pass, explicit ? Duration.ZERO : policy.uploadDelay(), ino -> true);
      }
      // Local usage is a stat of every content file: read once per pass, again only after evicting.
      long usage = evict(pass, store.localBytes());
      prefetch(pass, usage);
      store.settleRecalls();
      if (mayWrite && System.currentTimeMillis() - lastBackupMillis >= policy.backupInterval().toMillis()) {
        backUp(pass);
      }
      if (mayWrite && collectionDue()) {
        try {
          collectGarbage(pass);
        } catch (IOException e) {
          pass.failed("garbage collection failed: " + e.getMessage());
        }
      }
      store.sync();
      if (pass.errorCount.get() == 0 && pass.uploadedFiles.get() > 0) {
        errors.clear(); // uploads work again: what failed before is past
      }
      return pass.report();
    }
  }

  /**
   * Uploads every dirty file nobody is writing, then backs the metadata up, so that a restore
   * from the remote alone loses nothing but files still open for writing. Returns the pass.
   */
  public TierReport sync() {
    synchronized (oneAtATime) {
      Pass pass = new Pass(null);
      if (mayWrite(pass)) {
        upload(pass, Duration.ZERO, ino -> true);
        backUp(pass);
      }
      store.sync();
      return pass.report();
    }
  }

  /** Uploads now the dirty files among {@code inos} that nobody is writing; returns the pass. */
  public TierReport upload(Set<Long> inos) {
    synchronized (oneAtATime) {
      Pass pass = new Pass(null);
      if (mayWrite(pass)) {
        upload(pass, Duration.ZERO, inos::contains);
      }
      store.sync();
      return pass.report();
    }
  }

  /** Whether this pass may write to the remote: the claim holds, or is made now. */
  private boolean mayWrite(Pass pass) {
    try {
      claim.ensure();
      return true;
    } catch (IOException e) {
      pass.failed("nothing is uploaded, backed up or deleted: " + e.getMessage());
      return false;
    }
  }

  /**
   * Backs the metadata up now if it changed since the last backup (at unmount, for one); returns
   * the new backup's key, or null.
   */
  public String backUpNow() {
    synchronized (oneAtATime) {
      String key = backUp(new Pass(null));
      store.sync();
      return key;
    }
  }

  private String backUp(Pass pass) {
    try {
      if (!backups.due()) {
        lastBackupMillis = System.currentTimeMillis();
        return null; // and the lease is not read either: an idle mount makes no calls
      }
      claim.confirm(); // a process whose lease was taken over must not add the newest backup
      String key = backups.backUpIfChanged();
      lastBackupMillis = System.currentTimeMillis();
      if (key != null) {
        LOG.log(Level.INFO, "metadata backed up to " + key);
      }
      return key;
    } catch (IOException e) {
      pass.failed("metadata backup failed: " + e.getMessage());
      return null;
    }
  }

  /**
   * Deletes every object under the content prefix that no inode and no kept backup refers to,
   * including objects of uploads a crash left unrecorded. Lists the remote (charged calls) and
   * reads the kept backups, so it runs on demand and every {@link TieringPolicy#gcInterval()},
   * not every pass.
   */
  public TierReport collectGarbage() throws IOException {
    synchronized (oneAtATime) {
      Pass pass = new Pass(null);
      collectGarbage(pass);
      store.sync();
      return pass.report();
    }
  }

  private boolean collectionDue() {
    Duration interval = policy.gcInterval();
    return !interval.isZero() && System.currentTimeMillis() - lastCollectionMillis >= interval.toMillis();
  }

  /**
   * The full collection. The caller holds {@code oneAtATime} and {@code upload} waits for its
   * uploads, so none is in flight: each object put so far is recorded in the store, or discarded
   * and nobody's. Only this filesystem's content objects are candidates, and every backup of it in
   * the remote is read, not just those this store recorded: an object any of them needs stays.
   */
  private void collectGarbage(Pass pass) throws IOException {
    // The clock runs from the last attempt: a failing collection waits an interval too, rather
    // than listing the bucket (charged calls) every pass.
    lastCollectionMillis = System.currentTimeMillis();
    if (!store.hasOwnBackup()) {
      throw new IOException("this cache has not backed its metadata up yet, so the remote's backups may not describe it;"
          + " run zero-cli backup first");
    }
    claim.confirm();
    Set<String> needed = new HashSet<>(store.remoteKeys());
    needed.addAll(backups.keysNeeded());
    for (RemoteObject object : remote.list(layout.contentPrefix())) {
      if (!needed.contains(object.key())) {
        remote.delete(object.key());
        store.uploads().deleted(object.key());
        pass.deletedObjects.incrementAndGet();
        pass.deletedBytes.addAndGet(object.size());
        pass.changed();
      }
    }
  }

  private void deleteGarbage(Pass pass) {
    long oldestBackup = backups.oldestKeptMillis();
    boolean confirmed = false;
    for (Map.Entry<String, Long> garbage : store.uploads().garbage().entrySet()) {
      if (garbage.getValue() >= oldestBackup) {
        continue; // a kept backup may still refer to it
      }
      String key = garbage.getKey();
      if (!layout.ownsContent(key)) {
        store.uploads().deleted(key); // not this filesystem's to delete (an older Zero's key): forget it
        continue;
      }
      try {
        if (!confirmed) {
          claim.confirm();
          confirmed = true;
        }
        remote.delete(key);
        store.uploads().deleted(key);
        pass.deletedObjects.incrementAndGet();
        pass.changed();
      } catch (FilesystemClaim.ConflictException e) {
        pass.failed("nothing is deleted: " + e.getMessage());
        return;
      } catch (IOException e) {
        pass.failed("delete of " + key + " failed: " + e.getMessage());
        if (e instanceof RemoteException remoteFailure && remoteFailure.kind() == RemoteException.Kind.UNAVAILABLE) {
          return;
        }
      }
    }
  }

  private void upload(Pass pass, Duration quiet, LongPredicate which) {
    AtomicBoolean remoteDown = new AtomicBoolean();
    List<Future<?>> uploads = new ArrayList<>();
    for (UploadJob job : store.uploads().jobs(quiet)) {
      if (!which.test(job.ino())) {
        continue;
      }
      uploads.add(uploaders.submit(() -> {
        if (remoteDown.get()) {
          return;
        }
        String key = layout.contentKey(job.ino(), UUID.randomUUID().toString());
        try {
          RemoteObject stored = remote.upload(key, job.file());
          if (store.uploads().uploaded(job.ino(), job.version(), key, stored.size())) {
            if (LOG.isLoggable(Level.DEBUG)) {
              LOG.log(Level.DEBUG, "uploaded " + store.pathOf(job.ino()) + " (" + Bytes.human(job.size()) + ") as " + key);
            }
            pass.uploadedFiles.incrementAndGet();
            pass.uploadedBytes.addAndGet(job.size());
            pass.changed();
          }
        } catch (RemoteException e) {
          // The object may be partly there; it is nobody's.
          store.uploads().discard(key);
          boolean remoteFailing = e.kind() == RemoteException.Kind.UNAVAILABLE || e.kind() == RemoteException.Kind.UNAUTHORIZED;
          if (!remoteFailing && !store.uploads().isCurrent(job)) {
            // Written, cut or deleted while it was read: the next pass uploads what it is now.
            LOG.log(Level.DEBUG, "upload of inode " + job.ino() + " given up, the file changed: " + e.getMessage());
            return;
          }
          pass.failed("upload of " + store.pathOf(job.ino()) + " failed: " + e.getMessage());
          if (remoteFailing) {
            remoteDown.set(true);
          }
        }
      }));
    }
    for (Future<?> upload : uploads) {
      try {
        upload.get();
      } catch (Exception e) {
        pass.failed("upload failed: " + e);
      }
    }
  }

  /**
   * Evicts while over the target, or while the cache disk has less free space than the policy
   * keeps (other files on the disk grow too); returns the local usage after.
   */
  private long evict(Pass pass, long usage) {
    long overTarget = usage > policy.targetBytes() ? usage - (long) (policy.targetBytes() * TieringPolicy.EVICT_DOWN_TO) : 0;
    long shortOfFree = policy.minFreeBytes() - store.freeDiskBytes();
    long toFree = Math.max(overTarget, shortOfFree);
    if (toFree <= 0) {
      return usage;
    }
    int evicted = store.evictLeastRecentlyUsed(toFree);
    long after = store.localBytes();
    pass.evictedFiles.addAndGet(evicted);
    pass.evictedBytes.addAndGet(Math.max(0, usage - after));
    pass.changed();
    if (after > policy.targetBytes()) {
      pass.notice("local content uses " + Bytes.gigabytes(after) + ", over the target of " + Bytes.gigabytes(policy.targetBytes())
          + ": the rest is dirty (not uploaded yet) or open, and is evicted once it is neither");
    }
    return after;
  }

  private void prefetch(Pass pass, long usage) {
    long before = pass.recalledFiles.get();
    long beforeBytes = pass.recalledBytes.get();
    try {
      prefetchWithinBounds(pass, usage);
    } finally {
      lastPrefetch = new Prefetched(pass.recalledFiles.get() - before, pass.recalledBytes.get() - beforeBytes);
    }
  }

  private void prefetchWithinBounds(Pass pass, long usage) {
    // Below the target and above the free space kept, each with room to spare for new writes.
    long room = Math.min((long) (policy.targetBytes() * TieringPolicy.PREFETCH_UP_TO) - usage,
        store.freeDiskBytes() - 2 * policy.minFreeBytes());
    if (room <= 0) {
      return; // no room for any: the candidates are not even looked at
    }
    int files = 0;
    long bytes = 0;
    for (RemoteFile candidate : store.prefetchCandidates(TieringPolicy.PREFETCH_RECENT)) {
      if (files >= TieringPolicy.PREFETCH_FILES_PER_PASS || bytes + candidate.size() > TieringPolicy.PREFETCH_BYTES_PER_PASS) {
        return; // the rest waits for the next passes: a remount must not turn into a burst of downloads
      }
      if (candidate.size() > room) {
        continue;
      }
      files++;
      bytes += candidate.size();
      try {
        store.ensureLocal(candidate.ino(), 0, Long.MAX_VALUE);
        room -= candidate.size();
        pass.recalledFiles.incrementAndGet();
        pass.recalledBytes.addAndGet(candidate.size());
        pass.changed();
      } catch (Exception e) {
        pass.failed("prefetch of " + store.pathOf(candidate.ino()) + " failed: " + e.getMessage());
        return;
      }
    }
  }

  @Override
  public void close() {
    uploaders.shutdown();
    claim.release();
    remote.close();
  }

  /** The counts of one pass, updated by the upload threads. */
  private final class Pass {
    final AtomicLong uploadedFiles = new AtomicLong();
    final AtomicLong uploadedBytes = new AtomicLong();
    final AtomicLong evictedFiles = new AtomicLong();
    final AtomicLong evictedBytes = new AtomicLong();
    final AtomicLong recalledFiles = new AtomicLong();
    final AtomicLong recalledBytes = new AtomicLong();
    final AtomicLong deletedObjects = new AtomicLong();
    final AtomicLong deletedBytes = new AtomicLong();
    final AtomicInteger errorCount = new AtomicInteger();
    private final List<String> problems = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<String> notices = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Consumer<TierReport> progress;

    Pass(Consumer<TierReport> progress) {
      this.progress = progress;
    }

    void failed(String error) {
      errorCount.incrementAndGet();
      problems.add(error);
      errors.add(error);
    }

    void notice(String notice) {
      notices.add(notice);
    }

    void changed() {
      if (progress != null) {
        progress.accept(report());
      }
    }

    TierReport report() {
      return new TierReport(uploadedFiles.get(), uploadedBytes.get(), evictedFiles.get(), evictedBytes.get(),
          recalledFiles.get(), recalledBytes.get(), deletedObjects.get(), deletedBytes.get(), errorCount.get(),
          problems, notices);
    }
  }
}
