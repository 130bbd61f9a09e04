package dev.zero.store;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.concurrent.Executor;

/**
 * Brings one remote-only file back to local disk chunk by chunk, in the order it is read, so
 * the first bytes of a large file do not wait for the whole of it; the chunk after the one a
 * read needed is fetched in the background. Which chunks are local is known only here, in
 * memory: a recall cut short by a restart starts again from nothing.
 */
final class Recall {
  static final long CHUNK = 8L << 20;

  private final long ino;
  private final String key;
  private final long size;
  private final FileChannel file;
  private final int chunks;
  private final BitSet present = new BitSet();
  private final BitSet inFlight = new BitSet();

  /** Starts a recall into {@code path}: whatever partial content is there is dropped. */
  Recall(long ino, String key, long size, Path path) throws IOException {
    this.ino = ino;
    this.key = key;
    this.size = size;
    this.chunks = (int) ((size + CHUNK - 1) / CHUNK);
    OwnerOnly.createFileIfMissing(path);
    try (RandomAccessFile sparse = new RandomAccessFile(path.toFile(), "rw")) {
      sparse.setLength(0);
      sparse.setLength(size);
    }
    this.file = FileChannel.open(path, StandardOpenOption.WRITE);
  }

  /** Whether this recall brings back the object {@code remoteKey}. */
  boolean isOf(String remoteKey) {
    return key.equals(remoteKey);
  }

  /** Fetches every missing chunk that overlaps [offset, offset + length), then reads ahead. */
  void fetch(long offset, long length, ContentFetcher fetcher, ContentStore content, Executor readAhead)
      throws FsException {
    if (offset >= size || length <= 0) {
      return;
    }
    int first = (int) (offset / CHUNK);
    int last = (int) (Math.min(size - 1, offset + length - 1) / CHUNK);
    for (int chunk = first; chunk <= last; chunk++) {
      fetchChunk(chunk, fetcher, content);
    }
    int next = last + 1;
    if (next < chunks && needsFetch(next)) {
      readAhead.execute(() -> {
        try {
          fetchChunk(next, fetcher, content);
        } catch (FsException e) {
          // The read that needs this chunk fetches it again, and reports the failure then.
        }
      });
    }
  }

  private synchronized boolean needsFetch(int chunk) {
    return !present.get(chunk) && !inFlight.get(chunk);
  }

  private void fetchChunk(int chunk, ContentFetcher fetcher, ContentStore content) throws FsException {
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
      content.ensureRoomFor(chunkLength);
      long got = fetcher.fetch(key, start, chunkLength, file);
      if (got != chunkLength) {
        throw new IOException("the remote object is " + (start + got) + " bytes, the file " + size);
      }
      fetched = true;
    } catch (IOException e) {
      System.err.println("zero: cannot recall inode " + ino + " (" + key + ") from the remote: " + e.getMessage());
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
    file.force(false);
    file.close();
  }

  void close() {
    try {
      file.close();
    } catch (IOException e) {
      System.err.println("zero: closing recalled content of inode " + ino + ": " + e.getMessage());
    }
  }
}
