package dev.zero.tiering;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zero.b2emulator.Fault;
import dev.zero.store.ContentState;
import dev.zero.store.Errno;
import dev.zero.store.FileMode;
import dev.zero.store.FsException;
import dev.zero.store.InodeStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine on a real store and a real local-directory remote (and B2 through the emulator). */
class TieringEngineTest {
  private static final long ROOT = InodeStore.ROOT;
  private static final int MIB = 1 << 20;

  private static final FilesystemLayout LAYOUT = new FilesystemLayout("test-fs");

  @TempDir Path dir;
  private InodeStore store;
  private Remote remote;
  private TieringEngine engine;

  @BeforeEach
  void open() throws Exception {
    store = InodeStore.open(dir.resolve("meta.db"), dir.resolve("content"), Duration.ofSeconds(60), 0, 0);
    remote = new LocalDirectoryRemote(dir.resolve("remote"));
  }

  @AfterEach
  void close() {
    if (engine != null) {
      engine.close();
    }
    store.close();
  }

  private FilesystemClaim claim(InodeStore of) {
    return new FilesystemClaim(of, remote, LAYOUT, dir, false);
  }

  private TieringEngine engine(long targetBytes) {
    engine = new TieringEngine(store, remote, claim(store), new TieringPolicy(targetBytes, Duration.ZERO, 2, Duration.ofHours(1), Duration.ZERO, 0), dir);
    return engine;
  }

  /** Creates a file and writes it as the FUSE adapter does: open, bytes to the content file, wrote. */
  private long write(String name, byte[] data) throws Exception {
    long ino = store.mknod(ROOT, name, FileMode.S_IFREG | 0644, 0, 0, 0).ino();
    rewrite(ino, data);
    return ino;
  }

  private void rewrite(long ino, byte[] data) throws Exception {
    Path content = store.open(ino, true);
    Files.write(content, data);
    store.wrote(ino, data.length);
    store.release(ino, true);
  }

  /** Reads a file as the adapter does: recall what is needed, then read the local content file. */
  private byte[] read(long ino) throws Exception {
    Path content = store.open(ino, false);
    try {
      store.ensureLocal(ino, 0, store.getattr(ino).size());
      return Files.readAllBytes(content);
    } finally {
      store.release(ino, false);
    }
  }

  private static byte[] random(int size, long seed) {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    return data;
  }

  private int remoteObjects() throws Exception {
    return remote.list(LAYOUT.contentPrefix()).size();
  }

  /** Puts an object under the content prefix that nothing refers to, as a crash mid-upload leaves. */
  private String leaveOrphan(int size) throws Exception {
    Path leftover = dir.resolve("leftover");
    Files.write(leftover, random(size, 9));
    String key = LAYOUT.contentPrefix() + "999/left-by-a-crash";
    remote.upload(key, leftover);
    return key;
  }

  /** Something that happens as an upload starts, such as a writer coming in; it may fail the upload. */
  private interface UploadStart {
    void run(String key, Path file) throws Exception;
  }

  /** {@code remote}, with {@code start} run before each upload. */
  private static Remote beforeEachUpload(Remote remote, UploadStart start) {
    return new Remote() {
      @Override
      public RemoteObject upload(String key, Path file) throws RemoteException {
        try {
          start.run(key, file);
        } catch (RemoteException e) {
          throw e;
        } catch (Exception e) {
          throw new AssertionError(e);
        }
        return remote.upload(key, file);
      }

      @Override
      public long download(String key, long offset, long length, java.nio.channels.FileChannel target, long targetOffset,
          Progress progress) throws RemoteException {
        return remote.download(key, offset, length, target, targetOffset, progress);
      }

      @Override
      public void delete(String key) throws RemoteException {
        remote.delete(key);
      }

      @Override
      public java.util.List<RemoteObject> list(String prefix) throws RemoteException {
        return remote.list(prefix);
      }

      @Override
      public void close() {
        remote.close();
      }
    };
  }

  private Set<String> remoteKeys(String prefix) throws Exception {
    return remote.list(prefix).stream().map(RemoteObject::key).collect(Collectors.toSet());
  }

  /**
   * Found by the crash loop: an evicted empty file opened for writing and written at an offset
   * lost what was written when its (empty) recall settled, which prepared the content file then.
   */
  @Test
  void writesToAnEvictedEmptyFileOutliveTheSettlingOfItsRecall() throws Exception {
    long ino = write("empty", new byte[0]);
    engine(1L << 30).runOnce(report -> {}, true);
    assertEquals(1, store.evict(java.util.List.of(ino)), "the uploaded empty file is evicted");
    byte[] data = new Random(5).ints(48_816, 0, 256).collect(java.io.ByteArrayOutputStream::new,
        (out, b) -> out.write(b), (a, b) -> a.write(b.toByteArray(), 0, b.size())).toByteArray();
    Path content = store.open(ino, true);
    try (java.nio.channels.FileChannel file = java.nio.channels.FileChannel.open(content, java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.CREATE) /* as the adapter opens it */) {
      file.write(java.nio.ByteBuffer.wrap(data), 526);
    }
    store.wrote(ino, 526 + data.length);
    store.settleRecalls();
    store.release(ino, true);
    byte[] expected = new byte[526 + data.length];
    System.arraycopy(data, 0, expected, 526, data.length);
    assertArrayEquals(expected, read(ino));
  }

  @Test
  void quietDirtyFilesAreUploadedAndBecomeClean() throws Exception {
    byte[] data = random(3 * MIB, 1);
    long ino = write("a", data);
    TierReport report = engine(100L * MIB).runOnce(null, false);
    assertEquals(1, report.uploadedFiles());
    assertEquals(data.length, report.uploadedBytes());
    assertEquals(ContentState.LOCAL_CLEAN, store.getattr(ino).content());
    assertEquals(1, remoteObjects());
    assertEquals(0, engine.runOnce(null, false).uploadedFiles(), "a clean file is not uploaded again");
  }

  @Test
  void overTheTargetLeastRecentlyUsedCleanFilesAreEvictedAndReadBackExactly() throws Exception {
    byte[][] data = new byte[6][];
    long[] inos = new long[6];
    for (int i = 0; i < 6; i++) {
      data[i] = random(MIB, i);
      inos[i] = write("f" + i, data[i]);
    }
    read(inos[5]); // the most recently used file stays local
    TierReport report = engine(3L * MIB).runOnce(null, false);
    assertEquals(6, report.uploadedFiles());
    assertTrue(report.evictedFiles() >= 3, report.summary());
    assertTrue(store.localBytes() <= 3L * MIB, "local usage " + store.localBytes() + " is over the target");
    assertEquals(ContentState.LOCAL_CLEAN, store.getattr(inos[5]).content());
    assertEquals(ContentState.REMOTE, store.getattr(inos[0]).content());
    for (int i = 0; i < 6; i++) {
      assertArrayEquals(data[i], read(inos[i]), "file f" + i + " read back after eviction");
    }
  }

  @Test
  void openAndDirtyFilesAreNeverEvicted() throws Exception {
    long open = write("open", random(2 * MIB, 1));
    engine(100L * MIB).runOnce(null, false); // uploaded: clean
    store.open(open, false);
    long dirty = write("dirty", random(2 * MIB, 2));
    engine.close();
    engine = new TieringEngine(store, remote, claim(store), new TieringPolicy(MIB, Duration.ofHours(1), 1, Duration.ofHours(1), Duration.ZERO, 0), dir);
    TierReport report = engine.runOnce(null, false);
    assertEquals(0, report.evictedFiles());
    assertEquals(ContentState.LOCAL_CLEAN, store.getattr(open).content());
    assertEquals(ContentState.LOCAL_DIRTY, store.getattr(dirty).content());
    assertEquals(0, report.errors(), "being over the target because of open and dirty files is no failure");
    assertTrue(report.notices().get(0).contains("dirty (not uploaded yet) or open"), "but the pass says so: " + report.notices());
  }

  @Test
  void aHardLinkedFileIsUploadedOnce() throws Exception {
    long ino = write("a", random(MIB, 1));
    store.link(ino, ROOT, "b");
    store.link(ino, ROOT, "c");
    assertEquals(1, engine(100L * MIB).runOnce(null, false).uploadedFiles());
    assertEquals(1, remoteObjects());
  }

  @Test
  void aSupersededObjectIsDeletedOnceNoKeptBackupNeedsIt() throws Exception {
    engine = new TieringEngine(store, remote, claim(store), new TieringPolicy(100L * MIB, Duration.ZERO, 2, Duration.ZERO, Duration.ZERO, 0), dir);
    long ino = write("a", random(MIB, 1));
    engine.runOnce(null, false); // uploads the first version, and a backup that refers to it
    String first = store.getattr(ino).remoteKey();
    rewrite(ino, random(MIB, 2));
    engine.runOnce(null, false); // uploads the second version; the first is garbage, but backed up
    engine.runOnce(null, false);
    assertTrue(remote.list(first).size() == 1, "a kept backup still refers to the first version");
    for (int i = 0; i < MetadataBackups.KEEP; i++) {
      write("later" + i, random(1000, i)); // each pass changes the store, so each backs it up
      engine.runOnce(null, false);
    }
    engine.runOnce(null, false);
    assertEquals(MetadataBackups.KEEP, remote.list(LAYOUT.backupsPrefix()).size(), "old backups are pruned");
    assertEquals(0, remote.list(first).size(), "no kept backup refers to the first version any more");
    store.unlink(ROOT, "a");
    for (int i = 0; i <= MetadataBackups.KEEP; i++) {
      write("after" + i, random(1000, i));
      engine.runOnce(null, false);
    }
    assertEquals(2 * MetadataBackups.KEEP + 1, remoteObjects(), "only the live files' objects are left");
  }

  @Test
  void garbageCollectionDeletesObjectsNothingRefersTo() throws Exception {
    long ino = write("a", random(MIB, 1));
    engine(100L * MIB).runOnce(null, false);
    engine.backUpNow();
    leaveOrphan(1000);
    TierReport report = engine.collectGarbage();
    assertEquals(1, report.deletedObjects());
    assertEquals(1000, report.deletedBytes());
    assertEquals(1, remoteObjects());
    assertEquals(store.getattr(ino).remoteKey(), remote.list(LAYOUT.contentPrefix()).get(0).key());
  }

  @Test
  void withoutAGcIntervalPassesLeaveOrphansAlone() throws Exception {
    engine(100L * MIB); // gcInterval zero
    String orphan = leaveOrphan(1000);
    assertEquals(0, engine.runOnce(null, false).deletedObjects());
    assertEquals(Set.of(orphan), remoteKeys(LAYOUT.contentPrefix()));
  }

  @Test
  void aPassRunsTheFullCollectionEveryGcInterval() throws Exception {
    engine = new TieringEngine(store, remote, claim(store),
        new TieringPolicy(100L * MIB, Duration.ZERO, 2, Duration.ZERO, Duration.ofMillis(1), 0), dir);
    long ino = write("a", random(MIB, 1));
    engine.runOnce(null, false); // uploads the first version, and a backup that refers to it
    String backedUp = store.getattr(ino).remoteKey();
    rewrite(ino, random(MIB, 2));
    write("b", random(MIB, 3));
    leaveOrphan(1000);
    Thread.sleep(5);
    TierReport report = engine.runOnce(null, false); // uploads a's second version and b, then collects
    assertEquals(2, report.uploadedFiles(), report.summary());
    assertEquals(1, report.deletedObjects(), report.summary());
    assertEquals(1000, report.deletedBytes());
    assertEquals(0, report.errors(), engine.errors().list().toString());
    Set<String> needed = new HashSet<>(store.remoteKeys());
    needed.add(backedUp);
    assertEquals(3, needed.size());
    assertEquals(needed, remoteKeys(LAYOUT.contentPrefix()), "the orphan went; live and backed-up objects stayed");
    assertEquals(store.backups().keySet(), remoteKeys(LAYOUT.backupsPrefix()), "the backups stayed");
  }

  @Test
  void prefetchIsBoundedPerPass() throws Exception {
    for (int i = 0; i < 30; i++) {
      write("f" + i, random(1000, i));
    }
    engine(1).runOnce(null, false); // uploads all; a target of 1 byte evicts all
    assertEquals(30, store.tieringCounts().remoteFiles());
    engine.close();
    engine(100L * MIB);
    assertEquals(new TieringEngine.PrefetchBacklog(30, 30_000), engine.prefetchBacklog(), "waiting before the first pass");
    assertEquals(20, engine.runOnce(null, false).recalledFiles(), "the first pass recalls at most 20 recently used files");
    assertEquals(new TieringEngine.Prefetched(20, 20_000), engine.lastPrefetch(), "what status shows of the last pass");
    assertEquals(new TieringEngine.PrefetchBacklog(10, 10_000), engine.prefetchBacklog(), "waiting for the next pass");
    assertEquals(10, engine.runOnce(null, false).recalledFiles(), "the next pass the rest");
    assertEquals(new TieringEngine.PrefetchBacklog(0, 0), engine.prefetchBacklog());
  }

  @Test
  void garbageCollectionNeedsABackupOfTheStoresOwn() throws Exception {
    write("a", random(MIB, 1));
    engine(100L * MIB).runOnce(null, false);
    String orphan = leaveOrphan(1000);
    IOException refused = assertThrows(IOException.class, () -> engine.collectGarbage());
    assertTrue(refused.getMessage().contains("zero-cli backup"), refused.getMessage());
    assertTrue(remoteKeys(LAYOUT.contentPrefix()).contains(orphan), "nothing was deleted");
  }

  @Test
  void garbageCollectionKeepsWhatAnyBackupInTheRemoteNeedsThoughTheStoreNeverRecordedIt() throws Exception {
    long ino = write("a", random(MIB, 1));
    engine(100L * MIB).runOnce(null, false);
    engine.backUpNow();
    String first = store.getattr(ino).remoteKey();
    rewrite(ino, random(MIB, 2));
    engine.runOnce(null, false); // the first version is garbage now, and only the backup refers to it
    store.forgetBackup(store.backups().keySet().iterator().next()); // as if the store had lost its record of it
    engine.backUpNow();
    engine.collectGarbage();
    assertEquals(1, remote.list(first).size(), "the backup in the remote still refers to the first version");
  }

  @Test
  void aNewCacheOnARemoteHoldingTheSameFilesystemNameIsRefusedAndDeletesNothing() throws Exception {
    write("a", random(MIB, 1));
    engine(100L * MIB).runOnce(null, false);
    engine.backUpNow();
    Set<String> before = remoteKeys("");
    try (InodeStore second = InodeStore.open(dir.resolve("second.db"), dir.resolve("second"), Duration.ofSeconds(60), 0, 0)) {
      TieringEngine intruder = new TieringEngine(second, remote, claim(second),
          new TieringPolicy(100L * MIB, Duration.ZERO, 2, Duration.ZERO, Duration.ofMillis(1), 0), dir);
      FilesystemClaim.ConflictException refused = assertThrows(FilesystemClaim.ConflictException.class, intruder::claim);
      assertTrue(refused.getMessage().contains("already holds the Zero filesystem 'test-fs'"), refused.getMessage());
      assertTrue(refused.getMessage().contains("zero-cli restore"), refused.getMessage());
      Thread.sleep(5);
      TierReport pass = intruder.runOnce(null, false); // a gc is due, a backup is due: neither may touch the remote
      assertTrue(pass.errors() > 0);
      assertThrows(IOException.class, intruder::collectGarbage);
      intruder.close();
    }
    Set<String> after = remoteKeys("");
    assertEquals(before, after, "the first filesystem's objects, backups and lease are untouched");
  }

  @Test
  void aLeaseHeldByAnotherMachineRefusesTheClaimUntilTakenOver() throws Exception {
    engine(100L * MIB).claim();
    engine.close(); // drops the lease
    engine = null;
    putLeaseOfAnotherMachine();
    FilesystemClaim.ConflictException refused = assertThrows(FilesystemClaim.ConflictException.class, () -> claim(store).ensure());
    assertTrue(refused.getMessage().contains("pid 4242 on host other-host"), refused.getMessage());
    assertTrue(refused.getMessage().contains("--take-over"), refused.getMessage());
    FilesystemClaim takeOver = new FilesystemClaim(store, remote, LAYOUT, dir, true);
    takeOver.ensure();
    takeOver.release();
    assertEquals(0, remote.list(LAYOUT.leaseKey()).size(), "the lease goes at release");
  }

  @Test
  void aLeaseLeftByADeadProcessOfThisMachineIsTakenOverByItself() throws Exception {
    FilesystemClaim first = claim(store);
    first.ensure(); // and the process "dies": its lease stays
    Path lease = dir.resolve("lease");
    String dead = new String(readObject(LAYOUT.leaseKey())).replaceAll("holder (\\S+) (\\S+) \\d+ \\d+", "holder $1 $2 999999999 1");
    Files.writeString(lease, dead);
    remote.upload(LAYOUT.leaseKey(), lease);
    claim(store).ensure(); // no conflict
  }

  @Test
  void aProcessWhoseLeaseWasTakenOverStopsBackingUp() throws Exception {
    engine(100L * MIB).claim();
    putLeaseOfAnotherMachine(); // which took it over
    write("a", random(1000, 1));
    assertNull(engine.backUpNow());
    assertTrue(engine.errors().list().get(0).contains("taken over"), engine.errors().list().toString());
    assertEquals(0, remote.list(LAYOUT.backupsPrefix()).size());
  }

  private void putLeaseOfAnotherMachine() throws Exception {
    Path lease = dir.resolve("lease");
    Files.writeString(lease, "filesystem " + store.identity().id() + "\nholder other-machine other-host 4242 1\nsince 2026-01-01T00:00:00Z\n");
    remote.upload(LAYOUT.leaseKey(), lease);
  }

  private byte[] readObject(String key) throws Exception {
    Path copy = dir.resolve("copy");
    try (java.nio.channels.FileChannel out = java.nio.channels.FileChannel.open(copy,
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
      remote.download(key, 0, 1 << 16, out, 0);
    }
    return Files.readAllBytes(copy);
  }

  @Test
  void aFileChangedDuringItsUploadStaysDirty() throws Exception {
    long ino = write("a", random(MIB, 1));
    remote = beforeEachUpload(remote, (key, file) -> {
      if (LAYOUT.ownsContent(key)) {
        rewrite(ino, random(MIB, 2)); // a writer comes in while the bytes are on their way
      }
    });
    TierReport report = engine(100L * MIB).runOnce(null, false);
    assertEquals(0, report.uploadedFiles());
    assertEquals(ContentState.LOCAL_DIRTY, store.getattr(ino).content());
  }

  @Test
  void throughB2ARecallWaitsOutAnOutageAndFailsWithEio() throws Exception {
    try (EmulatedB2 b2 = new EmulatedB2(dir.resolve("b2"))) {
      remote = new B2Remote(b2.settings());
      byte[] data = random(3 * MIB, 7);
      long ino = write("a", data);
      engine(MIB).runOnce(null, false);
      assertEquals(ContentState.REMOTE, store.getattr(ino).content());
      assertEquals(1, remoteObjects());

      b2.emulator.faults().add(Fault.outage());
      FsException down = assertThrows(FsException.class, () -> read(ino));
      assertEquals(Errno.EIO, down.errno());
      assertTrue(engine.errors().list().get(0).contains("recall"), engine.errors().list().toString());

      b2.emulator.faults().clear();
      assertArrayEquals(data, read(ino), "the file reads again once B2 is back");
    }
  }

  /**
   * A file written while its upload is under way makes that upload fail or be refused: the pass
   * must not count that as a failure (tier --once would exit 1), nor stop the other uploads; the
   * next pass uploads the file as it is then.
   */
  @Test
  void aFileWrittenWhileItIsUploadedIsNoFailureAndIsUploadedByTheNextPass() throws Exception {
    byte[] later = random(3000, 2);
    long changing = write("changing", random(2000, 1));
    long steady = write("steady", random(1000, 3));
    boolean[] rewritten = {false};
    remote = beforeEachUpload(remote, (key, file) -> {
      if (file.endsWith(String.valueOf(changing)) && !rewritten[0]) {
        rewritten[0] = true;
        rewrite(changing, later);
        throw new RemoteException(RemoteException.Kind.REFUSED, "Checksum did not match data received", null);
      }
    });

    TierReport first = engine(100L * MIB).runOnce(null, false);
    assertEquals(0, first.errors(), first.problems().toString());
    assertEquals(1, first.uploadedFiles(), "the steady file is uploaded all the same");
    assertEquals(ContentState.LOCAL_CLEAN, store.getattr(steady).content());
    assertEquals(ContentState.LOCAL_DIRTY, store.getattr(changing).content());

    TierReport second = engine.runOnce(null, false);
    assertEquals(1, second.uploadedFiles(), second.summary());
    assertEquals(ContentState.LOCAL_CLEAN, store.getattr(changing).content());
    assertEquals(1, store.evict(java.util.List.of(changing)), "the changed file is evicted");
    assertArrayEquals(later, read(changing), "what the remote holds is the file as it was written later");
  }
}
