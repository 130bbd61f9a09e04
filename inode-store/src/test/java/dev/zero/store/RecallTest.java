package dev.zero.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A recall streams: few fetches, bytes to the reader as they land, and the old guarantees. */
class RecallTest {
  private static final int SIZE = 48 << 20;
  private static final long IDLE_NANOS = 200_000_000L;
  private static final Duration LIMIT = Duration.ofSeconds(20);
  private static final Recall.Room ANY_ROOM = bytes -> {};

  @TempDir Path dir;
  private final byte[] object = random(SIZE);
  private final ObjectStream remote = new ObjectStream(object);
  private final ExecutorService streams = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    remote.gate.release(Integer.MAX_VALUE / 2);
    streams.shutdownNow();
  }

  private Recall recall() {
    return new Recall(7, "k", SIZE, dir.resolve("content"), IDLE_NANOS);
  }

  @Test
  void aSequentialReadOfTheWholeFileIsOneFetch() throws Exception {
    Recall recall = recall();

    for (long offset = 0; offset < SIZE; offset += 1 << 20) {
      recall.fetch(offset, 1 << 20, 1, remote, ANY_ROOM, streams);
    }

    assertEquals(List.of(0L), remote.starts, "fetches started, by offset");
    assertTrue(recall.complete());
    assertArrayEquals(object, Files.readAllBytes(dir.resolve("content")));
  }

  @Test
  void theFirstBytesComeBeforeTheStreamEnds() throws Exception {
    remote.gate.drainPermits(); // each permit lets one piece through
    remote.gate.release(2);
    Recall recall = recall();

    assertTimeoutPreemptively(LIMIT, () -> recall.fetch(0, 4096, 1, remote, ANY_ROOM, streams));

    assertFalse(recall.complete(), "the stream is held after its second piece");
    assertArrayEquals(Arrays.copyOf(object, 4096), Arrays.copyOf(Files.readAllBytes(dir.resolve("content")), 4096));
  }

  @Test
  void aSeekFarFromTheStreamStartsAnotherAtTheSoughtOffset() throws Exception {
    Recall recall = recall();
    recall.fetch(0, 4096, 1, remote, ANY_ROOM, streams);
    long far = SIZE - (1 << 20);

    recall.fetch(far, 4096, 1, remote, ANY_ROOM, streams);

    assertEquals(List.of(0L, far), remote.starts, "fetches started, by offset");
    byte[] local = Files.readAllBytes(dir.resolve("content"));
    assertArrayEquals(Arrays.copyOfRange(object, (int) far, (int) far + 4096), Arrays.copyOfRange(local, (int) far, (int) far + 4096));
  }

  @Test
  void aStreamStopsAWindowAheadOfItsReaderAndClosesWhenNobodyReadsOn() throws Exception {
    Recall recall = recall();
    recall.fetch(0, 4096, 1, remote, ANY_ROOM, streams);

    long fetched = remote.awaitStreamsEnded();

    assertTrue(fetched >= Recall.MIN_AHEAD && fetched <= Recall.MIN_AHEAD + (1 << 20),
        "a 4 KiB read fetched " + fetched + " bytes; the window is " + Recall.MIN_AHEAD);
    assertFalse(recall.complete());
    recall.fetch(fetched, 4096, 1, remote, ANY_ROOM, streams);
    assertEquals(List.of(0L, fetched), remote.starts, "a read after the stream closed starts one at its first missing byte");
  }

  @Test
  void aRecallShortOfTheEndIsStalledOnceNobodyWaitsForItsBytes() throws Exception {
    remote.gate.drainPermits();
    Recall recall = recall();
    Future<Boolean> reader = streams.submit(() -> recall.fetch(0, 4096, 1, remote, ANY_ROOM, streams));
    long deadline = System.nanoTime() + LIMIT.toNanos();
    while (remote.starts.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }

    assertFalse(recall.stalled(), "a reader waits for its bytes");
    remote.gate.release(Integer.MAX_VALUE / 2);
    assertTrue(reader.get(LIMIT.toSeconds(), TimeUnit.SECONDS));
    assertTrue(recall.stalled(), "the reader has its bytes; the rest of the file is a hole nobody waits for");
    recall.fetch(0, SIZE, 1, remote, ANY_ROOM, streams);
    assertTrue(recall.complete());
    assertFalse(recall.stalled(), "a whole recall is settled, not reclaimed");
  }

  @Test
  void aFailedStreamFailsItsReaderWithEioAndTheKernelsRetryOnTheHandleAtOnce() throws Exception {
    remote.failAfter = 1 << 20;
    Recall recall = recall();

    assertEquals(Errno.EIO, assertThrows(FsException.class, () -> recall.fetch(0, SIZE, 1, remote, ANY_ROOM, streams)).errno());
    assertEquals(Errno.EIO, assertThrows(FsException.class, () -> recall.fetch(0, SIZE, 1, remote, ANY_ROOM, streams)).errno());
    assertEquals(1, remote.starts.size(), "the retry on the failed handle asks the remote nothing");

    remote.failAfter = Long.MAX_VALUE;
    recall.fetch(0, SIZE, 2, remote, ANY_ROOM, streams);
    assertEquals(List.of(0L, 1L << 20), remote.starts, "another handle tries again, from the first missing byte");
    assertArrayEquals(object, Files.readAllBytes(dir.resolve("content")));
  }

  @Test
  void noRoomOnTheCacheDiskFailsTheReadWithEnospc() {
    Recall recall = recall();
    Recall.Room full = bytes -> {
      throw new FsException(Errno.ENOSPC, "the cache disk is full");
    };

    assertEquals(Errno.ENOSPC, assertThrows(FsException.class, () -> recall.fetch(0, 4096, 1, remote, full, streams)).errno());
  }

  @Test
  void aRecallGivenUpStopsItsStreamAndSendsItsReaderBackToTheStore() throws Exception {
    remote.gate.drainPermits();
    remote.gate.release(1);
    Recall recall = recall();
    recall.fetch(0, 4096, 1, remote, ANY_ROOM, streams);

    recall.close();
    remote.gate.release(1);

    remote.awaitStreamsEnded();
    assertFalse(recall.fetch(0, SIZE, 2, remote, ANY_ROOM, streams), "the file changed: the reader must look at it anew");
    assertEquals(1, remote.starts.size(), "a recall given up starts no download");
  }

  @Test
  void aReaderThatFoundTheRecallJustBeforeItWasSettledReadsTheLocalBytes() throws Exception {
    Recall recall = recall();
    recall.fetch(0, SIZE, 1, remote, ANY_ROOM, streams);

    assertTrue(recall.finish());

    assertTrue(recall.fetch(0, SIZE, 2, remote, ANY_ROOM, streams), "every byte is local and durable: no EIO, no new download");
    assertEquals(List.of(0L), remote.starts);
    assertFalse(recall.finish(), "settled once");
  }

  private static byte[] random(int size) {
    byte[] bytes = new byte[size];
    new Random(5).nextBytes(bytes);
    return bytes;
  }

  /** An object that streams in pieces, as a download does, each piece let through by {@link #gate}. */
  private static final class ObjectStream implements ContentFetcher {
    private static final int PIECE = 64 << 10;
    final byte[] object;
    final List<Long> starts = new CopyOnWriteArrayList<>();
    final Semaphore gate = new Semaphore(Integer.MAX_VALUE / 2);
    volatile long failAfter = Long.MAX_VALUE;
    private int running;
    private long lastEnd;

    ObjectStream(byte[] object) {
      this.object = object;
    }

    @Override
    public long fetch(String key, long offset, long length, FileChannel target) {
      throw new AssertionError("a recall streams");
    }

    @Override
    public long fetch(String key, long offset, long length, FileChannel target, Progress progress) throws IOException {
      starts.add(offset);
      synchronized (this) {
        running++;
      }
      long end = Math.min(object.length, offset + length);
      long at = offset;
      try {
        while (at < end) {
          gate.acquireUninterruptibly();
          if (at - offset >= failAfter) {
            throw new IOException("connection reset");
          }
          int piece = (int) Math.min(PIECE, end - at);
          target.write(ByteBuffer.wrap(object, (int) at, piece), at);
          at += piece;
          if (!progress.reached(at)) {
            break;
          }
        }
        return at - offset;
      } finally {
        synchronized (this) {
          running--;
          lastEnd = at;
          notifyAll();
        }
      }
    }

    /** Waits until no fetch runs; returns where the last one ended. */
    synchronized long awaitStreamsEnded() throws InterruptedException {
      long deadline = System.nanoTime() + LIMIT.toNanos();
      while (running > 0 || starts.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("the stream still runs after " + LIMIT);
        }
        wait(Math.max(1, left / 1_000_000));
      }
      return lastEnd;
    }
  }
}
