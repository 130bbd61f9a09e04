package dev.zero.store;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * Brings one remote-only file back to local disk chunk by chunk, in the order it is read, so
 * the first bytes of a large file do not wait for the whole of it; the chunk after the one a
 * read needed is fetched in the background. Which chunks are local is known only here, in
 * memory: a recall cut short by a restart starts again from nothing.
 */
final class Recall {
  private static final System.Logger LOG = System.getLogger(Recall.class.getName());
  static final long CHUNK = 8L << 20;
  /** How soon after a failed read the kernel's retry of it comes, at most. */
  private static final long RETRY_WINDOW_NANOS = 1_000_000_000L;

  private final long ino;
  private final String key;
  private final long size;
  private final Path path;
  /** Opened by the first fetch, outside the store's lock: until then nothing touched the disk. */
  private FileChannel file;
  private boolean closed;
  private final int chunks;
  private final BitSet present = new BitSet();
  private final BitSet inFlight = new BitSet();
  /**
   * Open handles whose read failed, with when (System.nanoTime). The kernel retries a failed
   * read at once on the same handle: that retry fails at once too, so a read fails after one
   * remote timeout, not two. A new open tries the remote again in full.
   */
  private final Map<Long, Long> failedReaders = new HashMap<>();

  /** A recall into {@code path}: whatever partial content is there is dropped at the first fetch. */
  Recall(long ino, String key, long size, Path path) {
    this.ino = ino;
    this.key = key;
    this.size = size;
    this.path = path;
    this.chunks = (int) ((size + CHUNK - 1) / CHUNK);
  }

  /**
   * The content file, made a sparse file of the full size the first time. A recall the store
   * dropped (the file was evicted, truncated or freed) must not make its file again.
   */
  private synchronized FileChannel file() throws IOException {
    if (closed) {
      throw new IOException("the recall was given up: the file changed or went away");
    }
    if (file == null) {
      OwnerOnly.createFileIfMissing(path);
      try (RandomAccessFile sparse = new RandomAccessFile(path.toFile(), "rw")) {
        sparse.setLength(0);
        sparse.setLength(size);
      }
      file = FileChannel.open(path, StandardOpenOption.WRITE);
    }
    return file;
  }

  /** Whether this recall brings back the object {@code remoteKey}. */
  boolean isOf(String remoteKey) {
    return key.equals(remoteKey);
  }

  /** Makes room on the cache disk for bytes about to be written, or fails with ENOSPC. */
  interface Room {
    void ensureFor(long bytes) throws FsException;
  }

  /**
   * Fetches every missing chunk that overlaps [offset, offset + length), then reads ahead.
   * {@code reader} is the open handle reading, or 0 for a recall nobody reads through a handle.
   */
  void fetch(long offset, long length, long reader, ContentFetcher fetcher, Room room, Executor readAhead)
      throws FsException {
    if (offset >= size || length <= 0) {
      return;
    }
    int first = (int) (offset / CHUNK);
    int last = (int) (Math.min(size - 1, offset + length - 1) / CHUNK);
    failIfJustFailed(reader);
    try {
      for (int chunk = first; chunk <= last; chunk++) {
        fetchChunk(chunk, fetcher, room);
      }
    } catch (FsException e) {
      if (reader != 0 && e.errno() == Errno.EIO) {
        synchronized (this) {
          failedReaders.put(reader, System.nanoTime());
        }
      }
      throw e;
    }
    int next = last + 1;
    if (next < chunks && needsFetch(next)) {
      readAhead.execute(() -> {
        try {
          fetchChunk(next, fetcher, room);
        } catch (FsException e) {
          // The read that needs this chunk fetches it again, and reports the failure then.
        }
      });
    }
  }

  private synchronized void failIfJustFailed(long reader) throws FsException {
    Long failedAt = reader == 0 ? null : failedReaders.remove(reader);
    if (failedAt != null && System.nanoTime() - failedAt < RETRY_WINDOW_NANOS) {
      throw new FsException(Errno.EIO, "recall of inode " + ino + " failed a moment ago on this handle");
    }
  }

  private synchronized boolean needsFetch(int chunk) {
    return !present.get(chunk) && !inFlight.get(chunk);
  }

  private void fetchChunk(int chunk, ContentFetcher fetcher, Room room) throws FsException {
    synchronized (this) {
      while (inFlight.get(chunk)) {
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new FsException(Errno.EIO, "interrupted waiting for a recall");
        }
      }
      if (present.get(chunk)) {
        return;
      }
      inFlight.set(chunk);
    }
    long start = chunk * CHUNK;
    long chunkLength = Math.min(CHUNK, size - start);
    boolean fetched = false;
    try {
      FileChannel target = file();
      room.ensureFor(chunkLength);
      long got = fetcher.fetch(key, start, chunkLength, target);
      if (got != chunkLength) {
        throw new IOException("the remote object is " + (start + got) + " bytes, the file " + size);
      }
      fetched = true;
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot recall inode " + ino + " (" + key + ") from the remote: " + e.getMessage());
      throw new FsException(Errno.EIO, "recall of inode " + ino + " failed: " + e.getMessage());
    } finally {
      synchronized (this) {
        inFlight.clear(chunk);
        if (fetched) {
          present.set(chunk);
        }
        notifyAll();
      }
    }
  }

  synchronized boolean complete() {
    return present.cardinality() == chunks;
  }

  /** Makes the recalled content durable, so the store may call it local. */
  void finish() throws IOException {
    FileChannel target = file(); // an empty file has no chunk to fetch, but needs its file
    target.force(false);
    close();
  }

  /** Gives the recall up; a fetch under way fails. Closing a channel writes nothing, so this is quick. */
  synchronized void close() {
    closed = true;
    if (file == null) {
      return;
    }
    try {
      file.close();
    } catch (IOException e) {
      LOG.log(Level.WARNING, "closing recalled content of inode " + ino + ": " + e.getMessage());
    }
  }
}
