package dev.zero.store;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;

/**
 * Brings one remote-only file back to local disk chunk by chunk, in the order it is read, so
 * the first bytes of a large file do not wait for the whole of it. Which chunks are local is
 * known only here, in memory: a recall cut short by a restart starts again from nothing.
 */
final class Recall {
  static final long CHUNK = 8L << 20;

  private final long ino;
  private final String key;
  private final long size;
  private final FileChannel file;
  private final BitSet present = new BitSet();
  private final int chunks;
  private long recalledBytes;

  /** Starts a recall into {@code path}: whatever partial content is there is dropped. */
  Recall(long ino, String key, long size, Path path) throws IOException {
    this.ino = ino;
    this.key = key;
    this.size = size;
    this.chunks = (int) ((size + CHUNK - 1) / CHUNK);
    try (RandomAccessFile sparse = new RandomAccessFile(path.toFile(), "rw")) {
      sparse.setLength(0);
      sparse.setLength(size);
    }
    this.file = FileChannel.open(path, StandardOpenOption.WRITE);
  }

  String key() {
    return key;
  }

  /** Fetches every missing chunk that overlaps [offset, offset + length). */
  synchronized void fetch(long offset, long length, ContentFetcher fetcher, ContentStore content) throws FsException {
    if (offset >= size || length <= 0) {
      return;
    }
    int first = (int) (offset / CHUNK);
    int last = (int) (Math.min(size - 1, offset + length - 1) / CHUNK);
    for (int chunk = first; chunk <= last; chunk++) {
      if (present.get(chunk)) {
        continue;
      }
      long start = chunk * CHUNK;
      long chunkLength = Math.min(CHUNK, size - start);
      content.ensureRoomFor(chunkLength);
      try {
        long got = fetcher.fetch(key, start, chunkLength, file);
        if (got != chunkLength) {
          throw new IOException("the remote object is " + (start + got) + " bytes, the file " + size);
        }
      } catch (IOException e) {
        System.err.println("zero: cannot recall inode " + ino + " (" + key + ") from the remote: " + e.getMessage());
        throw new FsException(Errno.EIO, "recall of inode " + ino + " failed: " + e.getMessage());
      }
      present.set(chunk);
      recalledBytes += chunkLength;
    }
  }

  synchronized boolean complete() {
    return present.cardinality() == chunks;
  }

  synchronized long recalledBytes() {
    return recalledBytes;
  }

  void close() {
    try {
      file.force(false);
      file.close();
    } catch (IOException e) {
      System.err.println("zero: closing recalled content of inode " + ino + ": " + e.getMessage());
    }
  }
}
