package dev.zero.store;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.System.Logger.Level;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * Brings one remote-only file back to local disk. Downloads are billed by the call and each
 * call costs a round trip, so a recall streams: one ranged download from the first missing byte
 * on, written into the content file as it arrives, and a read waits only until its own bytes
 * are there. A read far from where every stream is (a seek) starts a stream of its own. A stream
 * keeps a read-ahead window beyond what its readers asked for, growing as they read on; past it
 * the stream pauses, and a stream nobody asks anything of for a while is closed, so a file
 * opened for its first page costs a few MiB, not all of it. Which bytes are local is known only
 * here, in memory: a recall cut short by a restart starts again from nothing.
 *
 * <p>Guarded by its own monitor, never the store's: streams and readers wait on it.
 */
final class Recall {
  private static final System.Logger LOG = System.getLogger(Recall.class.getName());
  /** How soon after a failed read the kernel's retry of it comes, at most. */
  private static final long RETRY_WINDOW_NANOS = 1_000_000_000L;
  /** The read-ahead window of a new stream, and the most it grows to. */
  static final long MIN_AHEAD = 4L << 20;
  static final long MAX_AHEAD = 64L << 20;
  /**
   * A read whose first missing byte is at most this far ahead of a stream waits for it (the
   * kernel's read-ahead asks a little ahead of the reader); further, a new call is sooner.
   */
  static final long NEAR = 16L << 20;
  /** Streams of one file at once; a seek beyond them stops the one asked of longest ago. */
  static final int MAX_STREAMS = 4;
  /** Room on the cache disk is made this much at a time, ahead of the stream. */
  private static final long ROOM_STEP = 8L << 20;

  private final long ino;
  private final String key;
  private final long size;
  private final Path path;
  /** How long a paused stream waits for a reader to ask for more before it is closed. */
  private final long idleNanos;
  /** Opened by the first fetch, outside the store's lock: until then nothing touched the disk. */
  private FileChannel file;
  private boolean closed;
  /** Every byte is in the content file, forced to disk: set by {@link #finish}, which closes the recall. */
  private boolean durable;
  /** Callers inside {@link #fetch}, waiting for bytes (between two streams, none may be running). */
  private int fetchers;
  /** The bytes written into the content file so far. */
  private final ByteRanges present = new ByteRanges();
  private final List<Stream> streams = new ArrayList<>();
  /**
   * Open handles whose read failed, with when (System.nanoTime). The kernel retries a failed
   * read at once on the same handle: that retry fails at once too, so a read fails after one
   * remote timeout, not two. A new open tries the remote again in full.
   */
  private final Map<Long, Long> failedReaders = new HashMap<>();

  /** A recall into {@code path}: whatever partial content is there is dropped at the first fetch. */
  Recall(long ino, String key, long size, Path path, long idleNanos) {
    this.ino = ino;
    this.key = key;
    this.size = size;
    this.path = path;
    this.idleNanos = idleNanos;
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
   * Returns true once bytes [offset, offset + length) are in the content file, starting a stream
   * on {@code streamer} if none is bringing them; false if the store gave the recall up first
   * (the file was truncated, written, evicted or freed meanwhile): the caller looks at the file
   * anew. {@code reader} is the open handle reading, or 0 for a recall nobody reads through a
   * handle.
   */
  boolean fetch(long offset, long length, long reader, ContentFetcher fetcher, Room room, Executor streamer)
      throws FsException {
    try {
      // Before any return: a writer that opened the file may write it once this returns, and a
      // preparation after that (at finish, for an empty file) would cut what it wrote.
      if (!enterUnlessClosed()) {
        return durable(); // a recall finished a moment ago has every byte; one given up, maybe not
      }
    } catch (IOException e) {
      throw new FsException(Errno.EIO, "recall of inode " + ino + " failed: " + e.getMessage());
    }
    try {
      if (offset >= size || length <= 0) {
        return true;
      }
      long end = offset + Math.min(length, size - offset);
      failIfJustFailed(reader);
      try {
        return awaitBytes(offset, end, fetcher, room, streamer);
      } catch (FsException e) {
        throw failedRead(reader, e);
      }
    } finally {
      leave();
    }
  }

  /** Makes the content file and counts the caller in, unless the recall is closed; false if it is. */
  private synchronized boolean enterUnlessClosed() throws IOException {
    if (closed) {
      return false;
    }
    file();
    fetchers++;
    return true;
  }

  private synchronized void leave() {
    fetchers--;
  }

  private synchronized boolean durable() {
    return durable;
  }

  private synchronized FsException failedRead(long reader, FsException e) {
    if (reader != 0 && e.errno() == Errno.EIO) {
      failedReaders.put(reader, System.nanoTime());
    }
    return e;
  }

  private synchronized void failIfJustFailed(long reader) throws FsException {
    Long failedAt = reader == 0 ? null : failedReaders.remove(reader);
    if (failedAt != null && System.nanoTime() - failedAt < RETRY_WINDOW_NANOS) {
      throw new FsException(Errno.EIO, "recall of inode " + ino + " failed a moment ago on this handle");
    }
  }

  /** True once the bytes are here; false if the recall was closed before they were. */
  private synchronized boolean awaitBytes(long offset, long end, ContentFetcher fetcher, Room room, Executor streamer)
      throws FsException {
    for (long missing = present.firstMissing(offset, end); missing < end; missing = present.firstMissing(offset, end)) {
      if (closed) {
        return false;
      }
      Stream stream = streamReaching(missing);
      if (stream == null) {
        stream = startStream(missing, fetcher, room, streamer);
      }
      stream.want(end);
      notifyAll(); // a stream paused at its window goes on
      while (!stream.finished && present.firstMissing(missing, end) < end) {
        waitOnMonitor();
      }
      if (stream.failure != null && present.firstMissing(missing, end) < end) {
        throw stream.failure; // its remote retries are spent: the reader hears of it
      }
    }
    return true;
  }

  /** The stream that will reach {@code offset} soon, or null. */
  private Stream streamReaching(long offset) {
    for (Stream stream : streams) {
      if (!stream.stopping && stream.position <= offset && offset < stream.limit && offset - stream.position <= NEAR) {
        return stream;
      }
    }
    return null;
  }

  private Stream startStream(long from, ContentFetcher fetcher, Room room, Executor streamer) {
    if (streams.size() >= MAX_STREAMS) {
      streams.stream().min(Comparator.comparingLong(s -> s.wantedAt)).orElseThrow().stopping = true;
    }
    // Up to the next bytes already here: those need no second download.
    Stream stream = new Stream(from, Math.min(size, present.nextPresent(from)), fetcher, room);
    streams.add(stream);
    streamer.execute(stream::run);
    return stream;
  }

  private void waitOnMonitor() throws FsException {
    try {
      wait();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FsException(Errno.EIO, "interrupted waiting for a recall");
    }
  }

  synchronized boolean complete() {
    return present.firstMissing(0, size) == size;
  }

  /**
   * Whether the recall stands short of the whole file with nobody waiting for more: a reader
   * that went away (or whose other pages the kernel had cached) left holes that only its
   * read-ahead, if still running, would fill. Giving it up stops that.
   */
  synchronized boolean stalled() {
    return fetchers == 0 && !complete();
  }

  /**
   * Makes the recalled content durable, so the store may call it local; false if the store gave
   * the recall up meanwhile (the file changed or went away), when there is nothing to settle.
   */
  boolean finish() throws IOException {
    FileChannel target;
    synchronized (this) {
      if (closed) {
        return false;
      }
      target = file(); // made by the first fetch, which every recall has had
    }
    try {
      target.force(false);
    } catch (ClosedChannelException givenUp) {
      return false;
    }
    synchronized (this) {
      if (closed) {
        return false;
      }
      durable = true;
      close();
    }
    return true;
  }

  /** Gives the recall up; a stream under way stops. Closing a channel writes nothing, so this is quick. */
  synchronized void close() {
    closed = true;
    notifyAll();
    if (file == null) {
      return;
    }
    try {
      file.close();
    } catch (IOException e) {
      LOG.log(Level.WARNING, "closing recalled content of inode " + ino + ": " + e.getMessage());
    }
  }

  /** One ranged download into the content file, from {@code start} up to at most {@code limit}. */
  private final class Stream {
    final long start;
    final long limit;
    private final ContentFetcher fetcher;
    private final Room room;
    /** Where the bytes written so far end; guarded by the recall's monitor, as is all below. */
    long position;
    /** The end of what readers asked of this stream, and when they last asked. */
    long wanted;
    long wantedAt = System.nanoTime();
    /** Set to make the stream stop at its next buffer. */
    boolean stopping;
    boolean finished;
    FsException failure;
    /** Touched by the stream's own thread only. */
    private long roomUpTo;

    Stream(long start, long limit, ContentFetcher fetcher, Room room) {
      this.start = start;
      this.limit = limit;
      this.fetcher = fetcher;
      this.room = room;
      this.position = start;
      this.wanted = start;
      this.roomUpTo = start;
    }

    void want(long end) {
      wanted = Math.max(wanted, Math.min(end, limit));
      wantedAt = System.nanoTime();
    }

    /** The read-ahead window: twice what was read from it so far, within bounds. */
    private long ahead() {
      return Math.max(MIN_AHEAD, Math.min(MAX_AHEAD, 2 * (wanted - start)));
    }

    void run() {
      FsException failed = null;
      try {
        failed = makeRoom();
        if (failed == null) {
          long got = fetcher.fetch(key, start, limit - start, file(), this::reached);
          synchronized (Recall.this) {
            if (failure == null && !stopping && !closed && start + got < limit) {
              throw new IOException("the remote object is " + (start + got) + " bytes, the file " + size);
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        synchronized (Recall.this) {
          if (!closed) { // else the file changed or went away: nobody wants these bytes
            LOG.log(Level.WARNING, "cannot recall inode " + ino + " (" + key + ") from the remote: " + e);
            failed = new FsException(Errno.EIO, "recall of inode " + ino + " failed: " + e.getMessage());
          }
        }
      } finally {
        synchronized (Recall.this) {
          if (failure == null) {
            failure = failed;
          }
          finished = true;
          streams.remove(this);
          Recall.this.notifyAll();
        }
      }
    }

    /** Called by the fetcher as bytes land: records them, then pauses or stops if it should. */
    private boolean reached(long end) {
      synchronized (Recall.this) {
        present.add(position, end);
        position = end;
        Recall.this.notifyAll();
        if (end >= limit) {
          return true;
        }
        if (!keepGoing()) {
          return false;
        }
      }
      FsException noRoom = makeRoom();
      if (noRoom != null) {
        synchronized (Recall.this) {
          failure = noRoom;
        }
        return false;
      }
      return true;
    }

    /** Under the recall's monitor: waits while the stream is a window ahead of its readers. */
    private boolean keepGoing() {
      while (!closed && !stopping && !present.contains(position) && position >= wanted + ahead()) {
        long idle = idleNanos - (System.nanoTime() - wantedAt);
        if (idle <= 0) {
          stopping = true; // nobody reads on: the connection is given back, and a later read starts anew
          break;
        }
        try {
          Recall.this.wait(Math.max(1, idle / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          stopping = true;
        }
      }
      // Bytes another stream already brought need no second download.
      return !closed && !stopping && !present.contains(position);
    }

    /** Makes room ahead of the stream, outside the recall's monitor (making room may take the store's). */
    private FsException makeRoom() {
      long at;
      synchronized (Recall.this) {
        at = position;
      }
      if (roomUpTo - at >= ROOM_STEP / 2 || roomUpTo >= limit) {
        return null;
      }
      long step = Math.min(ROOM_STEP, limit - roomUpTo);
      try {
        room.ensureFor(step);
        roomUpTo += step;
        return null;
      } catch (FsException e) {
        return e;
      }
    }
  }
}
