package dev.zero.store;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The recalls under way: at most one {@link Recall} per remote-only file, the threads their
 * downloads stream on, where the bytes come from, and how many files and bytes came back.
 *
 * <p>Guarded by the store's monitor: every call but {@link #fetch} holds it, since whether a
 * recall is still wanted is a question about the inode.
 */
final class Recalls {
  /** How long a paused stream waits for a reader to ask for more before it is closed. */
  private static final long IDLE_NANOS = 10_000_000_000L;

  private final Map<Long, Recall> recalls = new HashMap<>();
  /**
   * Runs the recalls' downloads, each streaming while its readers read: a thread each, since a
   * stream paused at its read-ahead window must hold up no other file's recall.
   */
  private final ExecutorService streams = Executors.newCachedThreadPool(r -> {
    Thread thread = new Thread(r, "zero-recall-stream");
    thread.setDaemon(true);
    return thread;
  });
  private final ContentStore content;
  private final LocalUsage usage;
  /** Set once, when the remote is known; read by {@link #fetch} too. */
  private volatile ContentFetcher fetcher;
  private long recalledFiles;
  private long recalledBytes;

  Recalls(ContentStore content, LocalUsage usage) {
    this.content = content;
    this.usage = usage;
  }

  void setFetcher(ContentFetcher fetcher) {
    this.fetcher = fetcher;
  }

  /** The recall of {@code inode}'s current remote copy: the one under way, or a new one. */
  Recall of(Inode inode) throws FsException {
    if (fetcher == null) {
      throw new FsException(Errno.EIO, "inode " + inode.ino() + " is in the remote and no remote is configured");
    }
    long ino = inode.ino();
    Recall recall = recalls.get(ino);
    if (recall != null && !recall.isOf(inode.remoteKey())) {
      drop(ino); // of an older remote copy: the file was written, uploaded and evicted since
      recall = null;
    }
    if (recall == null) {
      recall = new Recall(ino, inode.remoteKey(), inode.size(), content.path(ino), IDLE_NANOS);
      recalls.put(ino, recall);
      usage.startChanging(ino);
    }
    return recall;
  }

  /**
   * Brings bytes of {@code recall} local, as {@link Recall#fetch}: false if it was given up
   * first. Called without the store's monitor, since it waits for them.
   */
  boolean fetch(Recall recall, long offset, long length, long reader, Recall.Room room) throws FsException {
    return recall.fetch(offset, length, reader, fetcher, room, streams);
  }

  /** The recalls whose every byte is local now, by inode. */
  List<Map.Entry<Long, Recall>> complete() {
    return recalls.entrySet().stream().filter(entry -> entry.getValue().complete()).toList();
  }

  /** The files whose recall {@linkplain Recall#stalled stalled}: their partial content is reclaimable. */
  List<Long> stalledInos() {
    return recalls.entrySet().stream().filter(entry -> entry.getValue().stalled()).map(Map.Entry::getKey).toList();
  }

  /** The files with a recall under way. */
  List<Long> inos() {
    return List.copyOf(recalls.keySet());
  }

  /** Whether {@code ino}'s recall stalled. */
  boolean stalledFor(long ino) {
    Recall recall = recalls.get(ino);
    return recall != null && recall.stalled();
  }

  /** Whether {@code ino} is being recalled and every byte of it is local. */
  boolean completeFor(long ino) {
    Recall recall = recalls.get(ino);
    return recall != null && recall.complete();
  }

  /** Ends {@code recall}, made durable by now; false if it is no longer the one under way for {@code ino}. */
  boolean end(long ino, Recall recall) {
    if (recalls.get(ino) != recall) {
      return false;
    }
    recalls.remove(ino);
    usage.stopChanging(ino);
    return true;
  }

  /** Counts a file of {@code bytes} as come back from the remote. */
  void countRecalled(long bytes) {
    recalledFiles++;
    recalledBytes += bytes;
  }

  /** Stops the recall of {@code ino}, if any: its content was evicted, cut or freed. */
  void drop(long ino) {
    Recall recall = recalls.remove(ino);
    if (recall != null) {
      recall.close();
      usage.stopChanging(ino);
    }
  }

  long recalledFiles() {
    return recalledFiles;
  }

  long recalledBytes() {
    return recalledBytes;
  }

  /** Stops the streams: their readers get their bytes no more. */
  void shutdown() {
    streams.shutdownNow();
  }
}
