package dev.zero.tiering;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zero.b2emulator.CallStats;
import dev.zero.b2emulator.Fault;
import dev.zero.b2emulator.FaultPlan;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service misbehaving, as the emulator makes it: what is transient is retried and the call gets
 * the right bytes through; what lasts fails in bounded time with the kind a caller acts on.
 */
class B2RemoteFaultTest {
  /** Download by name is GET /file/{bucket}/{name}. */
  private static final String DOWNLOADS = "/file/";

  private static final int SIZE = 200_000;

  @TempDir Path work;
  private EmulatedB2 b2;
  private B2Remote remote;
  private FaultPlan faults;
  private CallStats stats;
  private byte[] content;
  private Path file;

  @BeforeEach
  void start() throws Exception {
    b2 = new EmulatedB2(Files.createDirectory(work.resolve("bucket")));
    remote = new B2Remote(b2.settings());
    faults = b2.emulator.faults();
    stats = b2.emulator.stats();
    content = TestFiles.randomBytes(SIZE, 30);
    file = TestFiles.write(work, "content", content);
  }

  @AfterEach
  void stop() {
    remote.close();
    b2.close();
  }

  @Test
  void serviceUnavailableIsRetriedWhenRetryAfterSays() throws Exception {
    faults.add(Fault.serviceUnavailable(0).times(2).onPathsContaining("b2_upload_file"));

    remote.upload("k", file);

    assertEquals(3, stats.count("b2_upload_file"));
    assertArrayEquals(content, download("k"));
  }

  @Test
  void tooManyRequestsIsRetriedWhenRetryAfterSays() throws Exception {
    faults.add(Fault.tooManyRequests(0).times(2).onPathsContaining("b2_upload_file"));
    remote.upload("k", file);
    faults.add(Fault.tooManyRequests(0).times(2).onPathsContaining(DOWNLOADS));

    assertArrayEquals(content, download("k"));
    assertEquals(3, stats.count("b2_upload_file"));
    assertEquals(3, stats.count("b2_download_file_by_name"));
  }

  @Test
  void requestTimeoutIsRetriedWhenRetryAfterSays() throws Exception {
    faults.add(Fault.requestTimeout(0).times(2).onPathsContaining("b2_upload_file"));
    remote.upload("k", file);
    faults.add(Fault.requestTimeout(0).times(2).onPathsContaining("b2_list_file_names"));

    assertEquals(List.of(new RemoteObject("k", SIZE)), remote.list(""));
    assertEquals(3, stats.count("b2_upload_file"));
    assertEquals(3, stats.count("b2_list_file_names"));
  }

  @Test
  void throttlingThatLastsFailsAsUnavailableInBoundedTime() throws Exception {
    remote.upload("k", file);
    faults.add(Fault.tooManyRequests(0).onPathsContaining(DOWNLOADS));

    assertUnavailableWithin(Duration.ofSeconds(10), () -> download("k"));
    assertEquals(3, stats.count("b2_download_file_by_name"));
  }

  @Test
  void cutDownloadIsRetriedAndReadsBackByteExact() throws Exception {
    remote.upload("k", file);
    faults.add(Fault.cutDownload().times(2));

    assertArrayEquals(content, download("k"));
    assertEquals(3, stats.count("b2_download_file_by_name"));
  }

  @Test
  void cutRangeIsRetriedAndLandsAtItsTargetOffset() throws Exception {
    remote.upload("k", file);
    Path target = Files.createFile(work.resolve("target"));
    long offset = 70_001;
    int length = 50_000;
    long targetOffset = 1234;
    faults.add(Fault.cutDownload().times(1));

    long written;
    try (FileChannel channel = FileChannel.open(target, StandardOpenOption.WRITE)) {
      written = remote.download("k", offset, length, channel, targetOffset);
    }

    assertEquals(length, written);
    byte[] landed = Files.readAllBytes(target);
    assertEquals(targetOffset + length, landed.length);
    assertArrayEquals(
        TestFiles.slice(content, offset, length), TestFiles.slice(landed, targetOffset, length));
    assertEquals(2, stats.count("b2_download_file_by_name"));
  }

  @Test
  void cutLargeObjectIsRetriedAndReadsBackByteExact() throws Exception {
    byte[] large = TestFiles.randomBytes(RemoteContractTest.LARGE, 34);
    remote.upload("large", TestFiles.write(work, "large", large));
    faults.add(Fault.cutDownload().times(1));

    assertArrayEquals(large, download("large", RemoteContractTest.LARGE));
    assertEquals(2, stats.count("b2_download_file_by_name"));
  }

  @Test
  void downloadsCutEveryTimeFailAsUnavailable() throws Exception {
    remote.upload("k", file);
    faults.add(Fault.cutDownload());

    assertUnavailableWithin(Duration.ofSeconds(10), () -> download("k"));
    assertEquals(3, stats.count("b2_download_file_by_name"));
  }

  @Test
  void internalErrorIsRetried() throws Exception {
    remote.upload("k", file);
    faults.add(Fault.internalError().times(2).onPathsContaining(DOWNLOADS));

    assertArrayEquals(content, download("k"));
    assertEquals(3, stats.count("b2_download_file_by_name"));
  }

  @Test
  void expiredTokenIsRenewedAndTheCallRepeated() throws Exception {
    remote.upload("k", file);
    long authorizations = stats.count("b2_authorize_account");

    faults.add(Fault.expiredAuthToken().times(1).onPathsContaining("b2_list_file_names"));
    assertEquals(List.of(new RemoteObject("k", SIZE)), remote.list(""));
    faults.add(Fault.expiredAuthToken().times(1).onPathsContaining(DOWNLOADS));
    assertArrayEquals(content, download("k"));

    assertEquals(authorizations + 2, stats.count("b2_authorize_account"));
  }

  @Test
  void expiredUploadTokenGetsANewUploadUrl() throws Exception {
    faults.add(Fault.expiredAuthToken().times(1).onPathsContaining("b2_upload_file"));

    remote.upload("k", file);

    assertEquals(2, stats.count("b2_get_upload_url"));
    assertArrayEquals(content, download("k"));
  }

  @Test
  void droppedConnectionsAreRetried() throws Exception {
    faults.add(Fault.dropConnection().times(1).onPathsContaining("b2_upload_file"));
    remote.upload("k", file);
    faults.add(Fault.dropConnection().times(1).onPathsContaining(DOWNLOADS));

    assertArrayEquals(content, download("k"));
    assertEquals(2, stats.count("b2_upload_file"));
    assertEquals(2, stats.count("b2_download_file_by_name"));
    assertEquals(List.of(new RemoteObject("k", SIZE)), remote.list(""));
  }

  @Test
  void slowAnswersAreWaitedFor() throws Exception {
    remote.upload("k", file);
    faults.add(Fault.slow(300).times(1).onPathsContaining(DOWNLOADS));

    long started = System.nanoTime();
    byte[] downloaded = download("k");

    assertTrue(millisSince(started) >= 300);
    assertArrayEquals(content, downloaded);
  }

  @Test
  void aFileCutWhileItIsUploadedFailsTheUploadAtOnceWithoutRetries() throws Exception {
    assertCutMidUploadFailsAtOnce(9_000_000, "b2_upload_file"); // under the large-file threshold
    assertEquals(1, stats.count("b2_upload_file"), "the upload of a file that is gone is not tried again");
  }

  @Test
  void aLargeFileCutWhileItIsUploadedFailsTheUploadAtOnceWithoutRetries() throws Exception {
    assertCutMidUploadFailsAtOnce(30_000_000, "b2_upload_part"); // six parts, four sent at a time
    assertTrue(stats.count("b2_upload_part") <= 6, "no part is tried again: " + stats.count("b2_upload_part") + " part uploads");
    assertEquals(1, stats.count("b2_cancel_large_file"), "the large file is cancelled, so its parts stop taking space");
  }

  /**
   * The emulator waits a second before it reads the body, and the file is cut to nothing
   * meanwhile: the rest of the body can no longer be sent. That must fail the call then, not
   * leave it waiting for its socket to time out (20 s), nor try again with a file that is gone.
   */
  private void assertCutMidUploadFailsAtOnce(int size, String uploadCall) throws Exception {
    Path cut = TestFiles.write(work, "cut", TestFiles.randomBytes(size, 31));
    faults.add(Fault.slow(1000).times(4).onPathsContaining(uploadCall));
    Thread cutter = new Thread(() -> {
      try {
        Thread.sleep(200);
        try (FileChannel channel = FileChannel.open(cut, StandardOpenOption.WRITE)) {
          channel.truncate(0);
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    cutter.start();

    long started = System.nanoTime();
    RemoteException e = assertThrows(RemoteException.class, () -> remote.upload("k", cut));
    cutter.join();

    assertTrue(millisSince(started) < 10_000, "took " + millisSince(started) + " ms");
    assertEquals(RemoteException.Kind.REFUSED, e.kind(), e.toString());
    assertTrue(e.getMessage().contains("while its bytes up to"), e.getMessage());
    assertEquals(List.of(), remote.list(""), "nothing is stored under the key");
  }

  @Test
  void outageFailsEveryCallAsUnavailableInBoundedTime() throws Exception {
    remote.upload("k", file);
    faults.add(Fault.outage());

    assertUnavailableWithin(Duration.ofSeconds(10), () -> remote.upload("other", file));
    assertUnavailableWithin(Duration.ofSeconds(10), () -> download("k"));
    assertUnavailableWithin(Duration.ofSeconds(10), () -> remote.list(""));
    assertUnavailableWithin(Duration.ofSeconds(10), () -> remote.delete("k"));

    faults.clear();
    assertArrayEquals(content, download("k"));
  }

  @Test
  void outageBeforeTheFirstCallIsUnavailableToo() throws Exception {
    faults.add(Fault.outage());

    assertUnavailableWithin(Duration.ofSeconds(10), () -> remote.upload("k", file));
    assertEquals(3, stats.count("b2_authorize_account"));
  }

  @Test
  void retryAfterWithinMaxBackoffIsWaitedOut() throws Exception {
    try (B2Remote patient = new B2Remote(settings(3, Duration.ofSeconds(2)))) {
      faults.add(Fault.serviceUnavailable(1).times(1).onPathsContaining("b2_upload_file"));

      long started = System.nanoTime();
      patient.upload("k", file);

      assertTrue(millisSince(started) >= 1000);
      assertEquals(2, stats.count("b2_upload_file"));
    }
  }

  @Test
  void retryAfterBeyondMaxBackoffFailsAtOnce() throws Exception {
    try (B2Remote impatient = new B2Remote(settings(3, Duration.ofSeconds(1)))) {
      faults.add(Fault.serviceUnavailable(30).onPathsContaining("b2_upload_file"));

      assertUnavailableWithin(Duration.ofSeconds(5), () -> impatient.upload("k", file));
      assertEquals(1, stats.count("b2_upload_file"));
    }
  }

  @Test
  void wrongKeyIsUnauthorized() throws Exception {
    try (B2Remote wrong =
        new B2Remote(b2.settings("not-the-key", EmulatedB2.BUCKET_ID, 3, Duration.ZERO))) {
      RemoteException refused = assertThrows(RemoteException.class, () -> wrong.upload("k", file));

      assertEquals(RemoteException.Kind.UNAUTHORIZED, refused.kind());
      assertTrue(
          refused.getMessage().contains("applicationKey in config.yml"), refused.getMessage());
      assertEquals(1, stats.count("b2_authorize_account"), "a refused key is not retried");
    }
  }

  @Test
  void unknownBucketIsRefused() throws Exception {
    try (B2Remote lost =
        new B2Remote(b2.settings(EmulatedB2.KEY, "no-such-bucket", 3, Duration.ZERO))) {
      RemoteException refused = assertThrows(RemoteException.class, () -> download(lost, "k"));

      assertEquals(RemoteException.Kind.REFUSED, refused.kind());
      assertTrue(refused.getMessage().contains("bucketId in config.yml"), refused.getMessage());
    }
  }

  @Test
  void largeFilePartsGoUpInParallel() throws Exception {
    byte[] large = TestFiles.randomBytes(RemoteContractTest.LARGE, 31);
    Path largeFile = TestFiles.write(work, "large", large);
    faults.add(Fault.slow(1000).onPathsContaining("b2_upload_part"));

    long started = System.nanoTime();
    remote.upload("large", largeFile);
    long took = millisSince(started);

    assertEquals(3, stats.count("b2_upload_part"));
    assertTrue(took < 2500, "three parts held 1 s each took " + took + " ms: not in parallel");
    faults.clear();
    assertArrayEquals(large, download("large", RemoteContractTest.LARGE));
  }

  @Test
  void failedPartIsRetried() throws Exception {
    byte[] large = TestFiles.randomBytes(RemoteContractTest.LARGE, 32);
    faults.add(Fault.internalError().times(1).onPathsContaining("b2_upload_part"));

    remote.upload("large", TestFiles.write(work, "large", large));

    assertEquals(4, stats.count("b2_upload_part"));
    assertArrayEquals(large, download("large", RemoteContractTest.LARGE));
  }

  @Test
  void largeUploadThatFailsIsCancelled() throws Exception {
    Path largeFile =
        TestFiles.write(work, "large", TestFiles.randomBytes(RemoteContractTest.LARGE, 33));
    faults.add(Fault.internalError().onPathsContaining("b2_upload_part"));

    assertUnavailableWithin(Duration.ofSeconds(10), () -> remote.upload("large", largeFile));

    assertEquals(1, stats.count("b2_cancel_large_file"));
    assertEquals(0, stats.count("b2_finish_large_file"));
    assertEquals(List.of(), remote.list(""));
  }

  @Test
  void failureToWriteTheDownloadIsNotRetried() throws Exception {
    remote.upload("k", file);
    Path target = Files.createFile(work.resolve("target"));
    FileChannel closed = FileChannel.open(target, StandardOpenOption.WRITE);
    closed.close();

    RemoteException failed =
        assertThrows(RemoteException.class, () -> remote.download("k", 0, SIZE, closed, 0));

    assertEquals(RemoteException.Kind.REFUSED, failed.kind());
    assertEquals(1, stats.count("b2_download_file_by_name"));
  }

  private B2Settings settings(int maxAttempts, Duration maxBackoff) {
    return b2.settings(EmulatedB2.KEY, EmulatedB2.BUCKET_ID, maxAttempts, maxBackoff);
  }

  private byte[] download(String key) throws Exception {
    return download(key, SIZE);
  }

  private byte[] download(String key, int length) throws Exception {
    return TestFiles.download(remote, work, key, 0, length);
  }

  private byte[] download(Remote from, String key) throws Exception {
    return TestFiles.download(from, work, key, 0, SIZE);
  }

  private static void assertUnavailableWithin(Duration limit, Executable call) {
    long started = System.nanoTime();
    RemoteException failed = assertThrows(RemoteException.class, call);
    long took = millisSince(started);

    assertEquals(RemoteException.Kind.UNAVAILABLE, failed.kind(), failed.getMessage());
    assertTrue(took < limit.toMillis(), "took " + took + " ms");
  }

  private static long millisSince(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1_000_000;
  }
}
