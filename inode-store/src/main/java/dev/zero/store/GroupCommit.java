package dev.zero.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Group commit: what the operations changed since the last commit becomes the journal's next
 * record, every commit interval on a thread of its own, and at once on {@link #sync} (fsync,
 * fsyncdir, unmount, a full disk). The changes are taken under the store's monitor, so a commit
 * never falls in the middle of an operation; the journal write and its fsync, and the deletion
 * of the content files the commit frees, run outside it, so operations go on meanwhile.
 *
 * <p>{@link #lock} is held by a commit from taking the changes until they are durable and the
 * content files they free are gone: commits reach the journal in the order they took their
 * changes, and a writer that finds the disk full can wait for deletions another thread has under
 * way. It is always taken before the store's monitor, never inside it.
 */
final class GroupCommit {
  private static final System.Logger LOG = System.getLogger(GroupCommit.class.getName());

  private final Metadata metadata;
  private final ContentStore content;
  /** The store's monitor, which every operation holds. */
  private final Object store;
  /** The store's: moves the records it keeps in memory into the tables (both locks held). */
  private final Runnable takeChanges;
  private final Object lock = new Object();
  /** Content files of freed inodes, deleted only once the free is committed; under the store's monitor. */
  private final List<Long> contentToDelete = new ArrayList<>();
  private final ScheduledExecutorService committer;

  GroupCommit(Metadata metadata, ContentStore content, Object store, Runnable takeChanges, Duration interval) {
    this.metadata = metadata;
    this.content = content;
    this.store = store;
    this.takeChanges = takeChanges;
    this.committer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "zero-group-commit");
      thread.setDaemon(true);
      return thread;
    });
    long millis = interval.toMillis();
    committer.scheduleWithFixedDelay(this::commitQuietly, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** Held by a commit from taking the changes until they are durable (see the class comment). */
  Object lock() {
    return lock;
  }

  /** Deletes {@code ino}'s content file once the commit that frees the inode is durable; under the store's monitor. */
  void deleteContentAfterCommit(long ino) {
    assert Thread.holdsLock(store);
    contentToDelete.add(ino);
  }

  /** Makes every change so far durable, then deletes the content files it freed. */
  void sync() {
    assert !Thread.holdsLock(store) : "a commit writes the journal outside the store's monitor";
    synchronized (lock) {
      List<Long> freed;
      synchronized (store) {
        seal();
        freed = List.copyOf(contentToDelete);
        contentToDelete.clear();
      }
      try {
        metadata.writeSealed();
      } catch (IOException e) {
        synchronized (store) {
          contentToDelete.addAll(freed); // their free is not durable: the next commit deletes them
        }
        throw new UncheckedIOException("the metadata journal cannot be written", e);
      }
      if (metadata.checkpointDue()) {
        synchronized (store) {
          commitLocked(); // a checkpoint reads every table, so it needs them still
        }
      }
      for (long ino : freed) {
        content.delete(ino);
      }
    }
  }

  /** Commits with both locks held, for what must be durable before the store's monitor is let go. */
  void commitLocked() {
    seal();
    try {
      metadata.commit();
    } catch (IOException e) {
      throw new UncheckedIOException("the metadata journal cannot be written", e);
    }
  }

  /** Takes every change so far as the next journal record (see {@link Metadata#seal}); both locks held. */
  void seal() {
    assert Thread.holdsLock(lock) && Thread.holdsLock(store);
    takeChanges.run();
    metadata.seal();
  }

  /** Stops the background commits, letting one under way finish; the caller syncs last. */
  void stop() {
    // Never interrupt the committer: an interrupt in the middle of file I/O closes MapDB's
    // FileChannel for good, and every later commit, this last one included, would fail.
    committer.shutdown();
    try {
      committer.awaitTermination(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void commitQuietly() {
    try {
      sync();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "metadata commit failed, will retry: " + e);
    }
  }
}
