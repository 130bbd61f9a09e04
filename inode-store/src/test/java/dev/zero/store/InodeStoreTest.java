package dev.zero.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's POSIX rules, on a real MapDB file: MapDB maps its file into memory. */
class InodeStoreTest {
  private static final long ROOT = InodeStore.ROOT;
  private static final int FILE = FileMode.S_IFREG | 0644;

  @TempDir Path dir;
  private InodeStore store;

  @BeforeEach
  void open() throws Exception {
    store = reopen();
  }

  @AfterEach
  void close() {
    store.close();
  }

  private InodeStore reopen() throws Exception {
    return InodeStore.open(dir.resolve("meta/zero.db"), dir.resolve("content"), Duration.ofSeconds(60), 0, 0);
  }

  private static Errno errnoOf(ThrowingCall call) {
    return assertThrows(FsException.class, call::run).errno();
  }

  private interface ThrowingCall {
    void run() throws Exception;
  }

  @Test
  void readingAloneMakesNoBackupDue() throws Exception {
    long ino = store.mknod(ROOT, "f", FILE, 0, 0, 0).ino();
    store.recordBackup("backup", System.currentTimeMillis(), store.dump(java.io.OutputStream.nullOutputStream()));
    assertFalse(store.changedSinceBackup());
    store.touchAtime(ino); // atime not after mtime: relatime moves it
    store.readdir(ROOT);
    assertFalse(store.changedSinceBackup(), "access times alone are not worth a backup");
    store.chmod(ino, 0600);
    assertTrue(store.changedSinceBackup(), "a chmod is");
  }

  @Test
  void newStoreHasAnEmptyRootDirectory() throws Exception {
    Inode root = store.getattr(ROOT);
    assertTrue(root.isDirectory());
    assertEquals(2, root.nlink());
    assertEquals(List.of(), store.readdir(ROOT));
  }

  @Test
  void createdNamesAreFoundAndTakenNamesRefused() throws Exception {
    Inode file = store.mknod(ROOT, "a", FILE, 0, 1000, 1000);
    assertEquals(file.ino(), store.lookup(ROOT, "a"));
    assertEquals(1000, store.getattr(file.ino()).uid());
    assertEquals(Errno.EEXIST, errnoOf(() -> store.mknod(ROOT, "a", FILE, 0, 0, 0)));
    assertEquals(Errno.ENOENT, errnoOf(() -> store.lookup(ROOT, "b")));
    assertEquals(Errno.ENOTDIR, errnoOf(() -> store.lookup(file.ino(), "x")));
    assertEquals(Errno.ENAMETOOLONG, errnoOf(() -> store.mknod(ROOT, "n".repeat(256), FILE, 0, 0, 0)));
  }

  @Test
  void directoryLinkCountIsTwoPlusSubdirectories() throws Exception {
    Inode d = store.mkdir(ROOT, "d", 0755, 0, 0);
    store.mkdir(d.ino(), "e", 0755, 0, 0);
    store.mknod(d.ino(), "f", FILE, 0, 0, 0);
    assertEquals(3, store.getattr(d.ino()).nlink());
    assertEquals(3, store.getattr(ROOT).nlink());
    store.rmdir(d.ino(), "e");
    assertEquals(2, store.getattr(d.ino()).nlink());
  }

  @Test
  void hardLinksShareTheInodeAndCountNames() throws Exception {
    Inode a = store.mknod(ROOT, "a", FILE, 0, 0, 0);
    store.link(a.ino(), ROOT, "b");
    assertEquals(a.ino(), store.lookup(ROOT, "b"));
    assertEquals(2, store.getattr(a.ino()).nlink());
    store.unlink(ROOT, "a");
    assertEquals(1, store.getattr(a.ino()).nlink());
    assertEquals(Errno.EPERM, errnoOf(() -> store.link(ROOT, ROOT, "root-link")));
    assertEquals(Errno.EEXIST, errnoOf(() -> store.link(a.ino(), ROOT, "b")));
  }

  @Test
  void renameOverAFileReplacesItAndFreesTheOldInode() throws Exception {
    Inode a = store.mknod(ROOT, "a", FILE, 0, 0, 0);
    Inode b = store.mknod(ROOT, "b", FILE, 0, 0, 0);
    store.rename(ROOT, "a", ROOT, "b");
    assertEquals(a.ino(), store.lookup(ROOT, "b"));
    assertEquals(Errno.ENOENT, errnoOf(() -> store.lookup(ROOT, "a")));
    assertEquals(Errno.ENOENT, errnoOf(() -> store.getattr(b.ino())));
  }

  @Test
  void renameMovesADirectoryAndItsLinkCounts() throws Exception {
    Inode src = store.mkdir(ROOT, "src", 0755, 0, 0);
    Inode dst = store.mkdir(ROOT, "dst", 0755, 0, 0);
    Inode tree = store.mkdir(src.ino(), "tree", 0755, 0, 0);
    store.mknod(tree.ino(), "leaf", FILE, 0, 0, 0);
    store.rename(src.ino(), "tree", dst.ino(), "moved");
    assertEquals(tree.ino(), store.lookup(dst.ino(), "moved"));
    assertEquals(2, store.getattr(src.ino()).nlink());
    assertEquals(3, store.getattr(dst.ino()).nlink());
    assertEquals(dst.ino(), store.getattr(tree.ino()).parent());
    assertEquals(1, store.readdir(tree.ino()).size());
  }

  @Test
  void renameRefusesWhatPosixRefuses() throws Exception {
    Inode d = store.mkdir(ROOT, "d", 0755, 0, 0);
    Inode sub = store.mkdir(d.ino(), "sub", 0755, 0, 0);
    Inode full = store.mkdir(ROOT, "full", 0755, 0, 0);
    store.mknod(full.ino(), "x", FILE, 0, 0, 0);
    store.mknod(ROOT, "f", FILE, 0, 0, 0);
    assertEquals(Errno.EINVAL, errnoOf(() -> store.rename(ROOT, "d", sub.ino(), "d")));
    assertEquals(Errno.EINVAL, errnoOf(() -> store.rename(ROOT, "d", d.ino(), "self")));
    assertEquals(Errno.ENOTEMPTY, errnoOf(() -> store.rename(ROOT, "d", ROOT, "full")));
    assertEquals(Errno.EISDIR, errnoOf(() -> store.rename(ROOT, "f", ROOT, "d")));
    assertEquals(Errno.ENOTDIR, errnoOf(() -> store.rename(ROOT, "d", ROOT, "f")));
    assertEquals(Errno.ENOENT, errnoOf(() -> store.rename(ROOT, "missing", ROOT, "g")));
  }

  @Test
  void renameOfOneHardLinkOntoAnotherDoesNothing() throws Exception {
    Inode a = store.mknod(ROOT, "a", FILE, 0, 0, 0);
    store.link(a.ino(), ROOT, "b");
    store.rename(ROOT, "a", ROOT, "b");
    assertEquals(a.ino(), store.lookup(ROOT, "a"));
    assertEquals(a.ino(), store.lookup(ROOT, "b"));
    assertEquals(2, store.getattr(a.ino()).nlink());
  }

  @Test
  void rmdirRefusesNonEmptyDirectoriesAndFiles() throws Exception {
    Inode d = store.mkdir(ROOT, "d", 0755, 0, 0);
    store.mknod(d.ino(), "x", FILE, 0, 0, 0);
    assertEquals(Errno.ENOTEMPTY, errnoOf(() -> store.rmdir(ROOT, "d")));
    assertEquals(Errno.ENOTDIR, errnoOf(() -> store.rmdir(d.ino(), "x")));
    assertEquals(Errno.EISDIR, errnoOf(() -> store.unlink(ROOT, "d")));
  }

  @Test
  void anUnlinkedOpenFileLivesUntilItsLastRelease() throws Exception {
    Inode a = store.mknod(ROOT, "a", FILE, 0, 0, 0);
    Path content = store.open(a.ino(), true);
    Files.writeString(content, "still here");
    store.unlink(ROOT, "a");
    assertEquals(List.of(), store.readdir(ROOT));
    assertEquals(0, store.getattr(a.ino()).nlink());
    assertTrue(store.release(a.ino(), true));
    assertEquals(Errno.ENOENT, errnoOf(() -> store.getattr(a.ino())));
    store.sync();
    assertFalse(Files.exists(content), "freed content is deleted once the free is committed");
  }

  @Test
  void anInodeTheKernelRetainsOutlivesARenameOverItsNameUntilForgotten() throws Exception {
    Inode old = store.mknod(ROOT, "target", FILE, 0, 0, 0);
    Files.writeString(store.open(old.ino(), true), "old");
    store.release(old.ino(), true);
    store.retain(old.ino()); // the kernel looked it up: an open of it may be on its way
    Inode replacement = store.mknod(ROOT, "next", FILE, 0, 0, 0);
    store.rename(ROOT, "next", ROOT, "target");
    assertEquals(replacement.ino(), store.lookup(ROOT, "target"));
    assertEquals(0, store.getattr(old.ino()).nlink(), "the replaced inode is an orphan while retained");
    assertEquals("old", Files.readString(store.open(old.ino(), false)), "and it can still be opened and read");
    store.release(old.ino(), false);
    store.forget(old.ino());
    assertEquals(Errno.ENOENT, errnoOf(() -> store.getattr(old.ino())), "freed once the kernel forgot it");
  }

  @Test
  void orphansOfAProcessThatDiedAreFreedAtTheNextOpen() throws Exception {
    Inode a = store.mknod(ROOT, "a", FILE, 0, 0, 0);
    store.open(a.ino(), true);
    store.unlink(ROOT, "a");
    store.close(); // the process ends without releasing the handle
    store = reopen();
    assertEquals(Errno.ENOENT, errnoOf(() -> store.getattr(a.ino())));
  }

  @Test
  void everythingSurvivesReopening() throws Exception {
    Inode d = store.mkdir(ROOT, "d", 0750, 7, 8);
    Inode f = store.mknod(d.ino(), "f", FILE, 0, 0, 0);
    store.link(f.ino(), ROOT, "g");
    store.symlink(ROOT, "s", "d/f", 0, 0);
    store.setxattr(f.ino(), "user.k", new byte[] {1, 2}, 0);
    store.utimens(f.ino(), new Timespec(1, 2), new Timespec(3, 4));
    store.wrote(f.ino(), 42);
    Inode before = store.getattr(f.ino());
    store.close();
    store = reopen();
    assertEquals(before, store.getattr(f.ino()));
    assertEquals(f.ino(), store.lookup(ROOT, "g"));
    assertEquals("d/f", store.readlink(store.lookup(ROOT, "s")));
    assertArrayEquals(new byte[] {1, 2}, store.getxattr(f.ino(), "user.k"));
    assertEquals(0750 | FileMode.S_IFDIR, store.getattr(d.ino()).mode());
    Inode next = store.mknod(ROOT, "after", FILE, 0, 0, 0);
    assertTrue(next.ino() > f.ino(), "inode numbers are never reused");
  }

  @Test
  void xattrFlagsAndMissingNames() throws Exception {
    long ino = store.mknod(ROOT, "a", FILE, 0, 0, 0).ino();
    assertEquals(Errno.ENODATA, errnoOf(() -> store.setxattr(ino, "user.k", new byte[1], InodeStore.XATTR_REPLACE)));
    store.setxattr(ino, "user.k", new byte[] {1}, InodeStore.XATTR_CREATE);
    assertEquals(Errno.EEXIST, errnoOf(() -> store.setxattr(ino, "user.k", new byte[1], InodeStore.XATTR_CREATE)));
    store.setxattr(ino, "user.k", new byte[] {2}, InodeStore.XATTR_REPLACE);
    assertArrayEquals(new byte[] {2}, store.getxattr(ino, "user.k"));
    assertEquals(List.of("user.k"), store.listxattr(ino));
    store.removexattr(ino, "user.k");
    assertEquals(Errno.ENODATA, errnoOf(() -> store.getxattr(ino, "user.k")));
    assertEquals(Errno.ENODATA, errnoOf(() -> store.removexattr(ino, "user.k")));
  }

  @Test
  void utimensHonoursOmitAndNow() throws Exception {
    long ino = store.mknod(ROOT, "a", FILE, 0, 0, 0).ino();
    store.utimens(ino, new Timespec(100, 5), new Timespec(200, 6));
    Inode set = store.getattr(ino);
    assertEquals(new Timespec(100, 5), set.atime());
    assertEquals(new Timespec(200, 6), set.mtime());
    Inode omitted = store.utimens(ino, new Timespec(0, (int) Timespec.UTIME_OMIT), new Timespec(0, (int) Timespec.UTIME_NOW));
    assertEquals(new Timespec(100, 5), omitted.atime());
    assertTrue(omitted.mtime().sec() > 1_000_000_000L, "UTIME_NOW sets the current time");
    assertEquals(omitted.mtime(), omitted.ctime());
  }

  @Test
  void atimeFollowsRelatime() throws Exception {
    long ino = store.mknod(ROOT, "a", FILE, 0, 0, 0).ino();
    store.utimens(ino, new Timespec(10, 0), new Timespec(20, 0));
    store.touchAtime(ino); // atime older than mtime: it moves
    Timespec touched = store.getattr(ino).atime();
    assertTrue(touched.sec() > 20);
    store.touchAtime(ino); // now newer than mtime and ctime, and fresh: it stays
    assertEquals(touched, store.getattr(ino).atime());
  }

  @Test
  void truncateAndWritesSetSizeAndTimes() throws Exception {
    long ino = store.mknod(ROOT, "a", FILE, 0, 0, 0).ino();
    store.utimens(ino, new Timespec(1, 0), new Timespec(1, 0));
    Inode grown = store.truncate(ino, 1 << 20);
    assertEquals(1 << 20, grown.size());
    assertTrue(grown.mtime().sec() > 1);
    assertEquals(0, store.blocks(grown), "a file grown by truncate is a hole");
    assertEquals(1 << 20, Files.size(store.content().path(ino)));
    store.wrote(ino, 10);
    assertEquals(1 << 20, store.getattr(ino).size(), "a write inside the file does not shrink it");
    assertEquals(Errno.EISDIR, errnoOf(() -> store.truncate(ROOT, 0)));
  }

  @Test
  void setGidDirectoriesHandDownTheirGroup() throws Exception {
    Inode d = store.mkdir(ROOT, "d", 0775, 0, 50);
    store.chmod(d.ino(), 02775); // mkdir(2) ignores S_ISGID in its mode, as Linux does
    Inode file = store.mknod(d.ino(), "f", FILE, 0, 1000, 1000);
    Inode sub = store.mkdir(d.ino(), "s", 0755, 1000, 1000);
    assertEquals(50, file.gid());
    assertEquals(50, sub.gid());
    assertTrue((sub.mode() & FileMode.S_ISGID) != 0);
  }

  @Test
  void aChangeDropsSetuidAlwaysAndSetgidWhereLinuxDoes() throws Exception {
    long tool = store.mknod(ROOT, "tool", FILE, 0, 0, 50).ino();
    long lockable = store.mknod(ROOT, "lockable", FILE, 0, 0, 50).ino();
    store.chmod(tool, 06755);
    store.chmod(lockable, 02644);

    assertTrue(store.dropSetIds(tool, new Caller(1000, gid -> true)));
    assertEquals(0755, store.getattr(tool).mode() & FileMode.PERMISSIONS, "group execute: setgid goes too");
    assertFalse(store.dropSetIds(tool, new Caller(1000, gid -> true)), "nothing left to drop");
    assertFalse(store.dropSetIds(lockable, new Caller(1000, gid -> gid == 50)), "no group execute, a caller in the group");
    assertFalse(store.dropSetIds(lockable, new Caller(0, gid -> false)), "no group execute, root");
    assertTrue(store.dropSetIds(lockable, new Caller(1000, gid -> false)));
    assertEquals(0644, store.getattr(lockable).mode() & FileMode.PERMISSIONS, "no group execute, a caller outside the group");
    long dir = store.mkdir(ROOT, "d", 0755, 0, 0).ino();
    store.chmod(dir, 02755);
    assertFalse(store.dropSetIds(dir, new Caller(1000, gid -> false)), "a directory keeps its setgid");
  }

  @Test
  void aWriteOrTruncateThatDropsSetIdBitsTellsTheKernelItsCachedModeIsStale() throws Exception {
    List<Long> told = new ArrayList<>();
    store.onAttributesChanged(told::add);
    long tool = store.mknod(ROOT, "tool", FILE, 0, 0, 50).ino();
    store.chmod(tool, 04755);

    store.wrote(tool, 10, null);
    assertEquals(04755, store.getattr(tool).mode() & 07777, "root's write (no caller given) keeps setuid");
    assertEquals(List.of(), told);
    store.wrote(tool, 20, new Caller(1000, gid -> false));
    assertEquals(0755, store.getattr(tool).mode() & 07777);
    assertEquals(20, store.getattr(tool).size());
    assertEquals(List.of(tool), told, "a write's answer carries no mode: the kernel must be told");

    store.chmod(tool, 04755);
    store.truncate(tool, 0, new Caller(1000, gid -> false));
    assertEquals(0755, store.getattr(tool).mode() & 07777);
    assertEquals(List.of(tool, tool), told);
  }

  /**
   * A file recalled by a writer, written, uploaded again and evicted again, all before a tiering
   * pass settled the first recall: the next read must fetch the new remote copy, not trust the
   * finished first recall (found by the kill -9 loop as a file whose first bytes read as zeros).
   */
  @Test
  void aRecallOfAnOlderRemoteCopyIsNeverReused() throws Exception {
    Map<String, byte[]> remote = new HashMap<>();
    store.setFetcher((key, offset, length, target) -> {
      byte[] object = remote.get(key);
      int count = (int) Math.min(length, object.length - offset);
      return target.write(ByteBuffer.wrap(object, (int) offset, count), offset);
    });
    long f = store.mknod(ROOT, "f", FILE, 0, 0, 0).ino();
    writeAll(f, new byte[] {1, 2, 3, 4});
    uploadAndEvict(f, "k1", remote);

    writeAll(f, new byte[] {5, 6, 7, 8}); // recalls k1 first, as every writer does
    uploadAndEvict(f, "k2", remote);

    store.ensureLocal(f, 0, 4);
    assertArrayEquals(new byte[] {5, 6, 7, 8}, Files.readAllBytes(store.content().path(f)));
    store.settleRecalls();
    assertEquals(ContentState.LOCAL_CLEAN, store.getattr(f).content());
    assertEquals("k2", store.getattr(f).remoteKey());
  }

  /** Content is the users' data: nobody but Zero's own user may read it, whatever umask is set. */
  @Test
  void contentFilesMadeByTruncateAndByARecallAreOwnerOnly() throws Exception {
    Map<String, byte[]> remote = new HashMap<>();
    store.setFetcher((key, offset, length, target) -> target.write(ByteBuffer.wrap(remote.get(key), (int) offset, (int) length), offset));
    long truncated = store.mknod(ROOT, "t", FILE, 0, 0, 0).ino();
    store.truncate(truncated, 10);
    long recalled = store.mknod(ROOT, "r", FILE, 0, 0, 0).ino();
    writeAll(recalled, new byte[] {1, 2, 3, 4});
    uploadAndEvict(recalled, "k", remote);

    store.ensureLocal(recalled, 0, 4);

    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.content().path(truncated))));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.content().path(recalled))));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.content().path(recalled).getParent())));
  }

  @Test
  void aFileJustWrittenWithAnOldMtimeIsNotQuietYet() throws Exception {
    long ino = store.mknod(InodeStore.ROOT, "extracted", FileMode.S_IFREG | 0644, 0, 0, 0).ino();
    writeAll(ino, new byte[] {1, 2, 3});
    Timespec archived = new Timespec(978307200, 0); // 2001, as tar x sets it
    store.utimens(ino, archived, archived);

    assertEquals(List.of(), store.uploads().jobs(Duration.ofMinutes(1)), "changed just now, whatever its mtime says");
    assertEquals(List.of(ino), store.uploads().jobs(Duration.ZERO).stream().map(Uploads.UploadJob::ino).toList());
  }

  @Test
  void aFileWithAFutureMtimeIsQuietOnceItsChangeIsOld() throws Exception {
    long ino = store.mknod(InodeStore.ROOT, "from-a-fast-clock", FileMode.S_IFREG | 0644, 0, 0, 0).ino();
    writeAll(ino, new byte[] {1, 2, 3});
    Timespec future = new Timespec(4102444800L, 0); // 2100
    store.utimens(ino, future, future);
    Thread.sleep(1100); // ctime is kept to the second

    assertEquals(List.of(ino), store.uploads().jobs(Duration.ofSeconds(1)).stream().map(Uploads.UploadJob::ino).toList(),
        "quiet for a second, though its mtime is years ahead");
  }

  private void writeAll(long ino, byte[] data) throws Exception {
    Files.write(store.open(ino, true), data);
    store.wrote(ino, data.length);
    store.release(ino, true);
  }

  private void uploadAndEvict(long ino, String key, Map<String, byte[]> remote) throws Exception {
    Uploads.UploadJob job = store.uploads().jobs(Duration.ZERO).stream().filter(j -> j.ino() == ino).findFirst().orElseThrow();
    remote.put(key, Files.readAllBytes(job.file()));
    assertTrue(store.uploads().uploaded(ino, job.version(), key, job.size()));
    assertEquals(1, store.evict(List.of(ino)));
  }
}
