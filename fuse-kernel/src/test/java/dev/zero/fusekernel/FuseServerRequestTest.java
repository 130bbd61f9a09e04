package dev.zero.fusekernel;

import static dev.zero.fusekernel.KernelMessages.request;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.zero.fusekernel.KernelMessages.Answer;
import dev.zero.fusekernel.KernelMessages.Fields;
import dev.zero.fusekernel.RecordingFileSystem.Dirent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every request the binding handles, decoded and answered byte for byte against the layouts of
 * fuse.h 7.41. Requests are written field by field in fuse.h's order; answers are read the same
 * way, so a wrong offset in the binding shows up as a wrong field here.
 */
class FuseServerRequestTest {
  private static final MountOptions OPTIONS = new MountOptions("codec", "codec", false, 1, false, false, false);
  private static final String WHO = " uid=" + KernelMessages.UID + " gid=" + KernelMessages.GID + " pid=" + KernelMessages.PID;
  private static final int S_IFDIR = 0040000;
  private static final int S_IFREG = 0100000;
  private static final int S_IFLNK = 0120000;
  private static final int S_IFCHR = 0020000;
  private static final int DT_CHR = 2;
  private static final int DT_DIR = 4;
  private static final int DT_REG = 8;
  private static final int DT_LNK = 10;

  private final RecordingFileSystem fs = new RecordingFileSystem();

  /** Serves the kernel's INIT and then {@code requests} one by one; returns the answers after INIT's. */
  static List<Answer> serve(FileSystem fs, byte[]... requests) throws IOException {
    return serve(1, fs, requests);
  }

  static List<Answer> serve(int maxThreads, FileSystem fs, byte[]... requests) throws IOException {
    List<byte[]> all = new ArrayList<>();
    all.add(KernelMessages.init(1, 7, 41, KernelMessages.KERNEL_OFFERS));
    all.addAll(Arrays.asList(requests));
    FakeDevice device = FakeDevice.of(all.toArray(byte[][]::new));
    new FuseServer(device, Path.of("/codec-test"), OPTIONS, fs, maxThreads).serve();
    List<Answer> answers = device.answers();
    answers.get(0).assertOk(1, FuseH.INIT_OUT);
    return answers.subList(1, answers.size());
  }

  private List<Answer> serve(byte[]... requests) throws IOException {
    return serve(fs, requests);
  }

  private Answer serveOne(byte[] request) throws IOException {
    List<Answer> answers = serve(request);
    assertEquals(1, answers.size(), "answers");
    return answers.get(0);
  }

  // ---- what answers look like ---------------------------------------------------------------

  /** struct fuse_attr as {@link RecordingFileSystem#fillAttr} fills it. */
  static void assertFuseAttr(Fields out, long ino, int mode) {
    assertEquals(ino, out.u64(), "attr.ino");
    assertEquals(0x0102030405L, out.u64(), "attr.size");
    assertEquals(0x0a0bL, out.u64(), "attr.blocks");
    assertEquals(1_700_000_001L, out.u64(), "attr.atime");
    assertEquals(1_700_000_002L, out.u64(), "attr.mtime");
    assertEquals(1_700_000_003L, out.u64(), "attr.ctime");
    assertEquals(111, out.u32(), "attr.atimensec");
    assertEquals(222, out.u32(), "attr.mtimensec");
    assertEquals(333, out.u32(), "attr.ctimensec");
    assertEquals(mode, out.u32(), "attr.mode");
    assertEquals(3, out.u32(), "attr.nlink");
    assertEquals(501, out.u32(), "attr.uid");
    assertEquals(502, out.u32(), "attr.gid");
    assertEquals(0x0801, out.u32(), "attr.rdev");
    assertEquals(4096, out.u32(), "attr.blksize");
    assertEquals(0, out.u32(), "attr.flags");
  }

  /** struct fuse_entry_out as {@link RecordingFileSystem#fillEntry} fills it. */
  static void assertFuseEntryOut(Fields out, long nodeId, int mode) {
    int start = out.position();
    assertEquals(nodeId, out.u64(), "nodeid");
    assertEquals(RecordingFileSystem.GENERATION, out.u64(), "generation");
    assertEquals(1, out.u64(), "entry_valid");
    assertEquals(2, out.u64(), "attr_valid");
    assertEquals(500_000_000, out.u32(), "entry_valid_nsec");
    assertEquals(250_000_000, out.u32(), "attr_valid_nsec");
    assertFuseAttr(out, nodeId, mode);
    assertEquals(FuseH.ENTRY_OUT, out.position() - start);
  }

  /** struct fuse_dirent and its name, padded with NULs to 8 bytes. */
  static void assertFuseDirent(Fields out, long ino, long off, String name, int type) {
    byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
    assertEquals(ino, out.u64(), name + ": dirent.ino");
    assertEquals(off, out.u64(), name + ": dirent.off");
    assertEquals(bytes.length, out.u32(), name + ": dirent.namelen");
    assertEquals(type, out.u32(), name + ": dirent.type");
    assertEquals(name, out.string(bytes.length), "dirent.name");
    int padded = (FuseH.DIRENT_NAME_OFFSET + bytes.length + 7) & ~7; // FUSE_DIRENT_SIZE
    assertArrayEquals(new byte[padded - FuseH.DIRENT_NAME_OFFSET - bytes.length],
        out.bytes(padded - FuseH.DIRENT_NAME_OFFSET - bytes.length), name + ": padding to 8 bytes");
  }

  // ---- names ----------------------------------------------------------------------------------

  @Test
  void lookupDecodesTheNameAndAnswersFuseEntryOut() throws IOException {
    Answer answer = serveOne(request(FuseH.LOOKUP, 10, 1).name("file.txt").build());

    assertEquals(List.of("lookup parent=1 name=file.txt" + WHO), fs.requests());
    Fields out = answer.assertOk(10, FuseH.ENTRY_OUT).body();
    assertFuseEntryOut(out, 2, S_IFREG | 0644);
  }

  @Test
  void lookupOfANameWithoutItsNulAnswersEinval() throws IOException {
    byte[] noNul = request(FuseH.LOOKUP, 11, 1).bytes("file".getBytes(StandardCharsets.UTF_8)).build();

    serveOne(noNul).assertError(11, FuseH.EINVAL);
    assertEquals(List.of(), fs.requests());
  }

  @Test
  void forgetBatchForgetAndInterruptAreNotAnswered() throws IOException {
    List<Answer> answers = serve(
        request(FuseH.FORGET, 20, 2).u64(3).build(), // fuse_forget_in.nlookup
        request(FuseH.BATCH_FORGET, 21, 0)
            .u32(2).u32(0) // fuse_batch_forget_in: count, dummy
            .u64(4).u64(5) // fuse_forget_one: nodeid, nlookup
            .u64(6).u64(7)
            .build(),
        request(FuseH.INTERRUPT, 23 | 1, 0).u64(10).build(), // fuse_interrupt_in.unique; FUSE_INT_REQ_BIT
        request(FuseH.LOOKUP, 24, 1).name("after").build());

    assertEquals(List.of("forget node=2 lookups=3", "forget node=4 lookups=5", "forget node=6 lookups=7",
        "lookup parent=1 name=after" + WHO), fs.requests());
    assertEquals(1, answers.size(), "only the LOOKUP is answered");
    answers.get(0).assertOk(24, FuseH.ENTRY_OUT);
  }

  @Test
  void aRequestThatWaitsLongDoesNotHoldUpTheNextOne() throws IOException {
    CountDownLatch secondAnswered = new CountDownLatch(1);
    FileSystem slowOnNode5 = new RecordingFileSystem() {
      @Override
      public long getattr(Request request, long nodeId, long fh, Attr attr) throws FuseException {
        if (nodeId != 5) {
          secondAnswered.countDown();
          return super.getattr(request, nodeId, fh, attr);
        }
        try { // as a read waits for a recall from the remote
          if (!secondAnswered.await(10, TimeUnit.SECONDS)) {
            throw new FuseException(FuseH.EIO, "the next request was not answered while this one waited");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return super.getattr(request, nodeId, fh, attr);
      }
    };

    List<Answer> answers = serve(2, slowOnNode5, // one request thread to start with (OPTIONS), a second when it is busy
        request(FuseH.GETATTR, 40, 5).u32(0).u32(0).u64(0).build(),
        request(FuseH.GETATTR, 41, 2).u32(0).u32(0).u64(0).build());

    // 40 succeeds only if 41 was served while 40 waited; which answer is written first is a race
    // between the two threads once the latch opens, so the answers are compared by unique.
    assertEquals(2, answers.size(), "answers");
    List<Answer> byUnique = new ArrayList<>(answers);
    byUnique.sort(Comparator.comparingLong(Answer::unique));
    byUnique.get(0).assertOk(40, FuseH.ATTR_OUT);
    byUnique.get(1).assertOk(41, FuseH.ATTR_OUT);
  }

  @Test
  void getattrPassesTheHandleOnlyWithGetattrFhAndAnswersFuseAttrOut() throws IOException {
    List<Answer> answers = serve(
        request(FuseH.GETATTR, 30, 2).u32(0).u32(0).u64(0x99).build(), // getattr_flags, dummy, fh
        request(FuseH.GETATTR, 31, 2).u32(FuseH.GETATTR_FH).u32(0).u64(0x99).build());

    assertEquals(List.of("getattr node=2 fh=-1" + WHO, "getattr node=2 fh=153" + WHO), fs.requests());
    for (int i = 0; i < 2; i++) {
      Fields out = answers.get(i).assertOk(30 + i, FuseH.ATTR_OUT).body();
      assertEquals(3, out.u64(), "attr_valid");
      assertEquals(7, out.u32(), "attr_valid_nsec");
      assertEquals(0, out.u32(), "dummy");
      assertFuseAttr(out, 2, S_IFREG | 0644);
    }
  }

  @Test
  void setattrDecodesEveryFieldOfFuseSetattrIn() throws IOException {
    int valid = FuseH.FATTR_MODE | FuseH.FATTR_UID | FuseH.FATTR_GID | FuseH.FATTR_SIZE | FuseH.FATTR_ATIME
        | FuseH.FATTR_MTIME | FuseH.FATTR_FH | FuseH.FATTR_LOCKOWNER | FuseH.FATTR_KILL_SUIDGID;
    Answer answer = serveOne(request(FuseH.SETATTR, 40, 2)
        .u32(valid).u32(0) // valid, padding
        .u64(0xf1) // fh
        .u64(0x5000) // size
        .u64(0xdead) // lock_owner
        .u64(1_600_000_001L).u64(1_600_000_002L).u64(1_600_000_003L) // atime, mtime, ctime
        .u32(11).u32(22).u32(33) // atimensec, mtimensec, ctimensec
        .u32(S_IFREG | 0640) // mode
        .u32(0) // unused4
        .u32(1234).u32(5678) // uid, gid
        .u32(0) // unused5
        .build());

    assertEquals(List.of("setattr node=2 valid=0xa7f fh=0xf1 size=0x5000 atime=1600000001.11 mtime=1600000002.22"
        + " mode=0100640 owner=1234 group=5678" + WHO), fs.requests());
    Fields out = answer.assertOk(40, FuseH.ATTR_OUT).body();
    assertEquals(2, out.u64(), "attr_valid");
    assertEquals(250_000_000, out.u32(), "attr_valid_nsec");
    assertEquals(0, out.u32(), "dummy");
    assertFuseAttr(out, 2, S_IFREG | 0600);
  }

  @Test
  void readlinkAnswersTheTargetWithoutNul() throws IOException {
    Answer answer = serveOne(request(FuseH.READLINK, 50, 5).build());

    assertEquals(List.of("readlink node=5" + WHO), fs.requests());
    assertEquals("../target/file", answer.assertOk(50, 14).body().string(14));
  }

  @Test
  void symlinkDecodesTheNameThenTheTarget() throws IOException {
    Answer answer = serveOne(request(FuseH.SYMLINK, 51, 1).name("link").name("../target/file").build());

    assertEquals(List.of("symlink parent=1 name=link target=../target/file" + WHO), fs.requests());
    assertFuseEntryOut(answer.assertOk(51, FuseH.ENTRY_OUT).body(), 5, S_IFLNK | 0777);
  }

  @Test
  void mknodDecodesFuseMknodIn() throws IOException {
    Answer answer = serveOne(request(FuseH.MKNOD, 52, 1)
        .u32(S_IFCHR | 0644).u32(0x0501).u32(022).u32(0) // mode, rdev, umask, padding
        .name("dev")
        .build());

    assertEquals(List.of("mknod parent=1 name=dev mode=020644 rdev=0x501 umask=022" + WHO), fs.requests());
    assertFuseEntryOut(answer.assertOk(52, FuseH.ENTRY_OUT).body(), 3, S_IFCHR | 0644);
  }

  @Test
  void mkdirDecodesFuseMkdirIn() throws IOException {
    Answer answer = serveOne(request(FuseH.MKDIR, 53, 1).u32(0755).u32(022).name("dir").build()); // mode, umask

    assertEquals(List.of("mkdir parent=1 name=dir mode=0755 umask=022" + WHO), fs.requests());
    assertFuseEntryOut(answer.assertOk(53, FuseH.ENTRY_OUT).body(), 4, S_IFDIR | 0755);
  }

  @Test
  void unlinkAndRmdirDecodeTheNameAndAnswerTheHeaderOnly() throws IOException {
    List<Answer> answers = serve(
        request(FuseH.UNLINK, 54, 1).name("file").build(),
        request(FuseH.RMDIR, 55, 1).name("dir").build());

    assertEquals(List.of("unlink parent=1 name=file" + WHO, "rmdir parent=1 name=dir" + WHO), fs.requests());
    answers.get(0).assertOk(54, 0);
    answers.get(1).assertOk(55, 0);
  }

  @Test
  void renameAndRename2DecodeTheNewDirectoryTheFlagsAndBothNames() throws IOException {
    List<Answer> answers = serve(
        request(FuseH.RENAME, 56, 1).u64(7).name("old").name("new").build(), // fuse_rename_in.newdir
        request(FuseH.RENAME2, 57, 1)
            .u64(8).u32(1).u32(0) // fuse_rename2_in: newdir, flags (RENAME_NOREPLACE), padding
            .name("a").name("b")
            .build());

    assertEquals(List.of("rename parent=1 name=old newParent=7 newName=new flags=0" + WHO,
        "rename parent=1 name=a newParent=8 newName=b flags=1" + WHO), fs.requests());
    answers.get(0).assertOk(56, 0);
    answers.get(1).assertOk(57, 0);
  }

  @Test
  void linkDecodesTheOldNodeAndTheNewName() throws IOException {
    // The header's node is the new parent; fuse_link_in.oldnodeid the node linked.
    Answer answer = serveOne(request(FuseH.LINK, 58, 1).u64(2).name("hardlink").build());

    assertEquals(List.of("link node=2 newParent=1 newName=hardlink" + WHO), fs.requests());
    assertFuseEntryOut(answer.assertOk(58, FuseH.ENTRY_OUT).body(), 2, S_IFREG | 0644);
  }

  // ---- open files -----------------------------------------------------------------------------

  @Test
  void openAndOpendirDecodeTheFlagsAndAnswerFuseOpenOutWithBackingId() throws IOException {
    List<Answer> answers = serve(
        request(FuseH.OPEN, 60, 2).u32(0101002).u32(FuseH.FUSE_OPEN_KILL_SUIDGID).build(), // flags (O_TRUNC too), open_flags
        request(FuseH.OPENDIR, 61, 1).u32(0200000).u32(0).build()); // O_DIRECTORY

    assertEquals(List.of("open node=2 flags=0101002 openFlags=1" + WHO, "opendir node=1 flags=0200000" + WHO), fs.requests());
    Fields open = answers.get(0).assertOk(60, FuseH.OPEN_OUT).body();
    assertEquals(0x1122334455667788L, open.u64(), "fh");
    assertEquals(FuseH.FOPEN_KEEP_CACHE | FuseH.FOPEN_PASSTHROUGH, open.u32(), "open_flags");
    assertEquals(9, open.u32(), "backing_id");
    Fields opendir = answers.get(1).assertOk(61, FuseH.OPEN_OUT).body();
    assertEquals(0xd1, opendir.u64(), "fh");
    assertEquals(1 << 3, opendir.u32(), "open_flags: FOPEN_CACHE_DIR");
    assertEquals(0, opendir.u32(), "backing_id");
  }

  @Test
  void createDecodesFuseCreateInAndAnswersEntryOutThenOpenOut() throws IOException {
    Answer answer = serveOne(request(FuseH.CREATE, 62, 1)
        .u32(01101).u32(S_IFREG | 0644).u32(022).u32(FuseH.FUSE_OPEN_KILL_SUIDGID) // flags (O_TRUNC|O_CREAT|O_WRONLY), mode, umask, open_flags
        .name("new.txt")
        .build());

    assertEquals(List.of("create parent=1 name=new.txt flags=01101 openFlags=1 mode=0100644 umask=022" + WHO), fs.requests());
    Fields out = answer.assertOk(62, FuseH.ENTRY_OUT + FuseH.OPEN_OUT).body();
    assertFuseEntryOut(out, 6, S_IFREG | 0644);
    assertEquals(0x66, out.u64(), "fh");
    assertEquals(1, out.u32(), "open_flags: FOPEN_DIRECT_IO");
    assertEquals(0, out.u32(), "backing_id");
  }

  /** struct fuse_read_in, also READDIR's. */
  private static byte[] readIn(int opcode, long unique, long nodeId, long fh, long offset, int size) {
    return request(opcode, unique, nodeId)
        .u64(fh).u64(offset).u32(size)
        .u32(opcode == FuseH.READ ? FuseH.FUSE_READ_LOCKOWNER : 0) // read_flags
        .u64(opcode == FuseH.READ ? 0xabc : 0) // lock_owner
        .u32(opcode == FuseH.READ ? 0100002 : 0) // flags
        .u32(0) // padding
        .build();
  }

  @Test
  void readAnswersTheBytesTheFilesystemPutAndNoMore() throws IOException {
    List<Answer> answers = serve(
        readIn(FuseH.READ, 70, 2, 0x77, 4, 9),
        readIn(FuseH.READ, 71, 2, 0x77, 100, 4096), // past the end
        readIn(FuseH.READ, 72, 2, 0x77, 0, 256 * 4096)); // max_pages of them

    assertEquals(List.of("read node=2 fh=0x77 offset=4 size=9 room=9" + WHO,
        "read node=2 fh=0x77 offset=100 size=4096 room=4096" + WHO,
        "read node=2 fh=0x77 offset=0 size=1048576 room=1048576" + WHO), fs.requests());
    assertEquals("content o", answers.get(0).assertOk(70, 9).body().string(9));
    answers.get(1).assertOk(71, 0);
    assertArrayEquals(fs.content, answers.get(2).assertOk(72, fs.content.length).body().bytes(fs.content.length));
  }

  /** struct fuse_write_in and its data. */
  private static byte[] writeIn(long unique, long fh, long offset, byte[] data) {
    return request(FuseH.WRITE, unique, 2)
        .u64(fh).u64(offset).u32(data.length)
        .u32(FuseH.FUSE_WRITE_CACHE | FuseH.FUSE_WRITE_KILL_SUIDGID) // write_flags
        .u64(0xabc) // lock_owner
        .u32(0100001) // flags
        .u32(0) // padding
        .bytes(data)
        .build();
  }

  @Test
  void writeHandsTheFilesystemExactlyTheDataAndAnswersFuseWriteOut() throws IOException {
    fs.writeAnswer = 3; // a short write
    Answer answer = serveOne(writeIn(80, 0x78, 12, "hello".getBytes(StandardCharsets.UTF_8)));

    assertEquals(List.of("write node=2 fh=0x78 offset=12 bytes=5 writeFlags=5" + WHO), fs.requests());
    assertEquals("hello", new String(fs.written, StandardCharsets.UTF_8));
    Fields out = answer.assertOk(80, 8).body();
    assertEquals(3, out.u32(), "size");
    assertEquals(0, out.u32(), "padding");
  }

  @Test
  void aWriteOfMaxWriteBytesReachesTheFilesystemWhole() throws IOException {
    byte[] data = new byte[MountOptions.MAX_WRITE];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 31 + 7);
    }
    Answer answer = serveOne(writeIn(81, 0x78, 1L << 40, data));

    assertEquals(List.of("write node=2 fh=0x78 offset=1099511627776 bytes=1048576 writeFlags=5" + WHO), fs.requests());
    assertArrayEquals(data, fs.written);
    assertEquals(data.length, answer.assertOk(81, 8).body().u32(), "size");
  }

  @Test
  void flushFsyncReleaseAndFallocateDecodeTheirStructs() throws IOException {
    List<Answer> answers = serve(
        request(FuseH.FLUSH, 90, 2).u64(0x79).u32(0).u32(0).u64(0xabc).build(), // fh, unused, padding, lock_owner
        request(FuseH.FSYNC, 91, 2).u64(0x7a).u32(FuseH.FSYNC_FDATASYNC).u32(0).build(), // fh, fsync_flags, padding
        request(FuseH.FSYNC, 92, 2).u64(0x7a).u32(0).u32(0).build(),
        request(FuseH.RELEASE, 93, 2)
            .u64(0x7b).u32(0100002).u32(FuseH.FUSE_RELEASE_FLUSH).u64(0xabc) // fh, flags, release_flags, lock_owner
            .build(),
        request(FuseH.FALLOCATE, 94, 2)
            .u64(0x7c).u64(4096).u64(8192).u32(1).u32(0) // fh, offset, length, mode (FALLOC_FL_KEEP_SIZE), padding
            .build());

    assertEquals(List.of("flush node=2 fh=0x79" + WHO, "fsync node=2 fh=0x7a dataOnly=true" + WHO,
        "fsync node=2 fh=0x7a dataOnly=false" + WHO, "release node=2 fh=0x7b flags=0100002" + WHO,
        "fallocate node=2 fh=0x7c offset=4096 length=8192 mode=1" + WHO), fs.requests());
    for (int i = 0; i < answers.size(); i++) {
      answers.get(i).assertOk(90 + i, 0);
    }
  }

  // ---- directories ----------------------------------------------------------------------------

  private void fiveEntries() {
    fs.directory = List.of(
        new Dirent(".", 1, S_IFDIR | 0755),
        new Dirent("..", 1, S_IFDIR | 0755),
        new Dirent("a", 10, S_IFREG | 0644),
        new Dirent("eightchr", 11, S_IFDIR | 0700), // 24 + 8: no padding
        new Dirent("nine-char", 12, S_IFLNK | 0777)); // 24 + 9, padded to 40
  }

  @Test
  void readdirAnswersFuseDirentsPaddedTo8Bytes() throws IOException {
    fiveEntries();
    Answer answer = serveOne(readIn(FuseH.READDIR, 100, 1, 0xd1, 0, 4096));

    assertEquals(List.of("readdir node=1 fh=0xd1 offset=0 plus=false added=[. .. a eightchr nine-char]" + WHO),
        fs.requests());
    Fields out = answer.assertOk(100, 32 + 32 + 32 + 32 + 40).body();
    assertFuseDirent(out, 1, 1, ".", DT_DIR);
    assertFuseDirent(out, 1, 2, "..", DT_DIR);
    assertFuseDirent(out, 10, 3, "a", DT_REG);
    assertFuseDirent(out, 11, 4, "eightchr", DT_DIR);
    assertFuseDirent(out, 12, 5, "nine-char", DT_LNK);
  }

  @Test
  void readdirStopsAtTheSizeTheKernelAskedForAndGoesOnFromTheOffset() throws IOException {
    fiveEntries();
    List<Answer> answers = serve(
        readIn(FuseH.READDIR, 101, 1, 0xd1, 0, 64 + 31), // room for two entries, not three
        readIn(FuseH.READDIR, 102, 1, 0xd1, 2, 4096),
        readIn(FuseH.READDIR, 103, 1, 0xd1, 0, 31)); // room for none

    assertEquals(List.of("readdir node=1 fh=0xd1 offset=0 plus=false added=[. ..]" + WHO,
        "readdir node=1 fh=0xd1 offset=2 plus=false added=[a eightchr nine-char]" + WHO,
        "readdir node=1 fh=0xd1 offset=0 plus=false added=[]" + WHO), fs.requests());
    Fields first = answers.get(0).assertOk(101, 64).body();
    assertFuseDirent(first, 1, 1, ".", DT_DIR);
    assertFuseDirent(first, 1, 2, "..", DT_DIR);
    Fields rest = answers.get(1).assertOk(102, 32 + 32 + 40).body();
    assertFuseDirent(rest, 10, 3, "a", DT_REG);
    assertFuseDirent(rest, 11, 4, "eightchr", DT_DIR);
    assertFuseDirent(rest, 12, 5, "nine-char", DT_LNK);
    answers.get(2).assertOk(103, 0);
  }

  @Test
  void readdirplusAnswersFuseDirentplusEntryOutThenDirent() throws IOException {
    fs.directory = List.of(
        new Dirent("a", 10, S_IFREG | 0644),
        new Dirent("dev", 13, S_IFCHR | 0600),
        new Dirent("nine-char", 12, S_IFLNK | 0777));
    List<Answer> answers = serve(
        readIn(FuseH.READDIRPLUS, 110, 1, 0xd1, 0, 4096),
        readIn(FuseH.READDIRPLUS, 111, 1, 0xd1, 0, 2 * (FuseH.ENTRY_OUT + 32) + 100)); // two fit

    assertEquals(List.of("readdir node=1 fh=0xd1 offset=0 plus=true added=[a dev nine-char]" + WHO,
        "readdir node=1 fh=0xd1 offset=0 plus=true added=[a dev]" + WHO), fs.requests());
    Fields out = answers.get(0).assertOk(110, 3 * FuseH.ENTRY_OUT + 32 + 32 + 40).body();
    assertFuseEntryOut(out, 10, S_IFREG | 0644);
    assertFuseDirent(out, 10, 1, "a", DT_REG);
    assertFuseEntryOut(out, 13, S_IFCHR | 0600);
    assertFuseDirent(out, 13, 2, "dev", DT_CHR);
    assertFuseEntryOut(out, 12, S_IFLNK | 0777);
    assertFuseDirent(out, 12, 3, "nine-char", DT_LNK);
    answers.get(1).assertOk(111, 2 * (FuseH.ENTRY_OUT + 32));
  }

  @Test
  void releasedirAndFsyncdirDecodeTheirStructs() throws IOException {
    List<Answer> answers = serve(
        request(FuseH.RELEASEDIR, 120, 1).u64(0xd1).u32(0200000).u32(0).u64(0).build(), // fuse_release_in
        request(FuseH.FSYNCDIR, 121, 1).u64(0xd1).u32(FuseH.FSYNC_FDATASYNC).u32(0).build()); // fuse_fsync_in

    assertEquals(List.of("releasedir node=1 fh=0xd1" + WHO, "fsyncdir node=1 fh=0xd1 dataOnly=true" + WHO),
        fs.requests());
    answers.get(0).assertOk(120, 0);
    answers.get(1).assertOk(121, 0);
  }

  @Test
  void statfsAnswersFuseKstatfs() throws IOException {
    Answer answer = serveOne(request(FuseH.STATFS, 130, 1).build());

    assertEquals(List.of("statfs node=1" + WHO), fs.requests());
    Fields out = answer.assertOk(130, FuseH.STATFS_OUT).body();
    assertEquals(1001, out.u64(), "blocks");
    assertEquals(1002, out.u64(), "bfree");
    assertEquals(1003, out.u64(), "bavail");
    assertEquals(1004, out.u64(), "files");
    assertEquals(1005, out.u64(), "ffree");
    assertEquals(4096, out.u32(), "bsize");
    assertEquals(255, out.u32(), "namelen");
    assertEquals(512, out.u32(), "frsize");
    assertEquals(0, out.u32(), "padding");
    assertArrayEquals(new byte[24], out.bytes(24), "spare[6]");
  }

  // ---- extended attributes ----------------------------------------------------------------------

  @Test
  void setxattrDecodesTheCompatSetxattrInTheNameAndABinaryValue() throws IOException {
    // FUSE_SETXATTR_EXT is not agreed (see FuseServerInitTest), so the kernel sends the 8-byte
    // FUSE_COMPAT_SETXATTR_IN_SIZE head of fuse_setxattr_in: size, flags.
    byte[] value = {0, 1, (byte) 0xff, 0};
    Answer answer = serveOne(request(FuseH.SETXATTR, 140, 2)
        .u32(value.length).u32(1) // size, flags (XATTR_CREATE)
        .name("user.test")
        .bytes(value)
        .build());

    assertEquals(List.of("setxattr node=2 name=user.test value=0001ff00 flags=1" + WHO), fs.requests());
    answer.assertOk(140, 0);
  }

  @Test
  void getxattrAnswersTheLengthForSize0ErangeForAShortSizeAndElseTheValue() throws IOException {
    List<Answer> answers = serve(
        request(FuseH.GETXATTR, 141, 2).u32(0).u32(0).name("user.test").build(), // fuse_getxattr_in: size, padding
        request(FuseH.GETXATTR, 142, 2).u32(13).u32(0).name("user.test").build(),
        request(FuseH.GETXATTR, 143, 2).u32(14).u32(0).name("user.test").build(),
        request(FuseH.GETXATTR, 144, 2).u32(65536).u32(0).name("user.test").build());

    assertEquals(4, fs.requests().stream().filter(("getxattr node=2 name=user.test" + WHO)::equals).count());
    Fields length = answers.get(0).assertOk(141, 8).body(); // fuse_getxattr_out
    assertEquals(14, length.u32(), "size");
    assertEquals(0, length.u32(), "padding");
    answers.get(1).assertError(142, FuseH.ERANGE);
    assertEquals("value-of-xattr", answers.get(2).assertOk(143, 14).body().string(14));
    assertEquals("value-of-xattr", answers.get(3).assertOk(144, 14).body().string(14));
  }

  @Test
  void listxattrAnswersTheLengthForSize0ErangeForAShortSizeAndElseTheNames() throws IOException {
    List<Answer> answers = serve(
        request(FuseH.LISTXATTR, 150, 2).u32(0).u32(0).build(),
        request(FuseH.LISTXATTR, 151, 2).u32(3).u32(0).build(),
        request(FuseH.LISTXATTR, 152, 2).u32(4096).u32(0).build());

    assertEquals(3, fs.requests().stream().filter(("listxattr node=2" + WHO)::equals).count());
    Fields length = answers.get(0).assertOk(150, 8).body();
    assertEquals(15, length.u32(), "size");
    assertEquals(0, length.u32(), "padding");
    answers.get(1).assertError(151, FuseH.ERANGE);
    assertArrayEquals(fs.xattrNames, answers.get(2).assertOk(152, 15).body().bytes(15));
  }

  @Test
  void removexattrDecodesTheName() throws IOException {
    Answer answer = serveOne(request(FuseH.REMOVEXATTR, 153, 2).name("user.test").build());

    assertEquals(List.of("removexattr node=2 name=user.test" + WHO), fs.requests());
    answer.assertOk(153, 0);
  }

  // ---- the rest -------------------------------------------------------------------------------

  @Test
  void destroyIsPassedOnAndAnswered() throws IOException {
    serveOne(request(FuseH.DESTROY, 160, 0).build()).assertOk(160, 0);
    assertEquals(List.of("destroy"), fs.requests());
  }

  @Test
  void accessAndUnknownOpcodesAnswerEnosys() throws IOException {
    List<Answer> answers = serve(
        request(FuseH.ACCESS, 170, 2).u32(4).u32(0).build(), // fuse_access_in: mask (R_OK), padding
        request(FuseH.GETLK, 171, 2).build(),
        request(FuseH.LSEEK, 172, 2).u64(0).u64(0).u32(3).u32(0).build(),
        request(FuseH.STATX, 173, 2).build(),
        request(9999, 174, 2).build());

    assertEquals(List.of(), fs.requests());
    for (int i = 0; i < answers.size(); i++) {
      answers.get(i).assertError(170 + i, FuseH.ENOSYS);
    }
  }

  @Test
  void aMethodTheFilesystemDoesNotImplementAnswersEnosys() throws IOException {
    List<Answer> answers = serve(new FileSystem() {},
        request(FuseH.MKDIR, 180, 1).u32(0755).u32(022).name("dir").build(),
        request(FuseH.READ, 181, 2).u64(1).u64(0).u32(10).u32(0).u64(0).u32(0).u32(0).build(),
        request(FuseH.RELEASE, 182, 2).u64(1).u32(0).u32(0).u64(0).build()); // release cannot fail

    answers.get(0).assertError(180, FuseH.ENOSYS);
    answers.get(1).assertError(181, FuseH.ENOSYS);
    answers.get(2).assertOk(182, 0);
  }

  @Test
  void aFuseExceptionAnswersMinusErrnoWithTheHeaderOnly() throws IOException {
    RecordingFileSystem failing = new RecordingFileSystem() {
      @Override
      public void lookup(Request request, long parent, byte[] name, Entry entry) throws FuseException {
        fillEntry(entry, 2, S_IFREG | 0644); // filled, then failed: none of it is sent
        throw new FuseException(FuseH.ENOENT, "no " + str(name));
      }

      @Override
      public int read(Request request, long nodeId, long fh, long offset, int size, ByteBuffer into)
          throws FuseException {
        into.put(new byte[size]);
        throw new FuseException(FuseH.EIO, "disk gone");
      }

      @Override
      public byte[] getxattr(Request request, long nodeId, byte[] name) throws FuseException {
        throw new FuseException(FuseH.ENODATA, "no such attribute");
      }
    };
    List<Answer> answers = serve(failing,
        request(FuseH.LOOKUP, 190, 1).name("missing").build(),
        readIn(FuseH.READ, 191, 2, 1, 0, 100),
        request(FuseH.GETXATTR, 192, 2).u32(0).u32(0).name("user.none").build(),
        request(FuseH.MKDIR, 193, 1).u32(0755).u32(022).name("next").build());

    answers.get(0).assertError(190, FuseH.ENOENT);
    answers.get(1).assertError(191, FuseH.EIO);
    answers.get(2).assertError(192, FuseH.ENODATA);
    assertFuseEntryOut(answers.get(3).assertOk(193, FuseH.ENTRY_OUT).body(), 4, S_IFDIR | 0755);
  }

  @Test
  void aRuntimeExceptionAnswersEioAndLaterRequestsAreStillAnswered() throws IOException {
    RecordingFileSystem broken = new RecordingFileSystem() {
      @Override
      public void unlink(Request request, long parent, byte[] name) {
        throw new IllegalStateException("a bug");
      }
    };
    List<Answer> answers = serve(broken,
        request(FuseH.UNLINK, 200, 1).name("file").build(),
        request(FuseH.RMDIR, 201, 1).name("dir").build());

    answers.get(0).assertError(200, FuseH.EIO);
    answers.get(1).assertOk(201, 0);
  }
}
