package dev.zero.fusekernel;

import static dev.zero.fusekernel.KernelMessages.KERNEL_OFFERS;
import static dev.zero.fusekernel.KernelMessages.init;
import static dev.zero.fusekernel.KernelMessages.request;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zero.fusekernel.KernelMessages.Answer;
import dev.zero.fusekernel.KernelMessages.Fields;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The INIT handshake: struct fuse_init_in in, struct fuse_init_out (64 bytes) out. */
class FuseServerInitTest {
  private static final MountOptions PLAIN = new MountOptions("codec", "codec", false, 1, false, false, false);
  private static final MountOptions PASSTHROUGH = new MountOptions("codec", "codec", false, 1, true, false, false);
  private static final MountOptions IO_URING = new MountOptions("codec", "codec", false, 1, false, true, false);
  /** What the binding asks for when the kernel offers everything and passthrough is not wanted. */
  private static final long WANTED = FuseH.ASYNC_READ | FuseH.ATOMIC_O_TRUNC | FuseH.BIG_WRITES
      | FuseH.DO_READDIRPLUS | FuseH.READDIRPLUS_AUTO | FuseH.ASYNC_DIO | FuseH.PARALLEL_DIROPS | FuseH.MAX_PAGES
      | FuseH.CACHE_SYMLINKS | FuseH.NO_OPENDIR_SUPPORT | FuseH.HANDLE_KILLPRIV_V2 | FuseH.INIT_EXT;

  private final RecordingFileSystem fs = new RecordingFileSystem();

  private FakeDevice serve(MountOptions options, byte[]... requests) throws IOException {
    FakeDevice device = FakeDevice.of(requests);
    new FuseServer(device, Path.of("/codec-test"), options, fs, 1).serve();
    return device;
  }

  /** The fuse_init_out fields a test looks at. */
  private record InitOut(int major, int minor, int maxReadahead, long flags, int maxBackground,
      int congestionThreshold, int maxWrite, int timeGran, int maxPages, int mapAlignment, long flags2,
      int maxStackDepth) {
    static InitOut read(Answer answer, long unique) {
      Fields out = answer.assertOk(unique, FuseH.INIT_OUT).body();
      InitOut init = new InitOut(out.u32(), out.u32(), out.u32(), out.u32() & 0xffffffffL, out.u16(), out.u16(),
          out.u32(), out.u32(), out.u16(), out.u16(), out.u32() & 0xffffffffL, out.u32());
      assertArrayEquals(new byte[24], out.bytes(24), "unused[6]");
      return init;
    }

    long allFlags() {
      return flags | flags2 << 32;
    }
  }

  @Test
  void initAnswersFuseInitOutWithTheFlagsBothSidesWant() throws IOException {
    FakeDevice device = serve(PLAIN, init(1, 7, 41, KERNEL_OFFERS));

    InitOut out = InitOut.read(device.answers().get(0), 1);
    assertEquals(7, out.major());
    assertEquals(41, out.minor());
    assertEquals(128 * 1024, out.maxReadahead(), "max_readahead: the kernel's");
    assertEquals(Long.toHexString(WANTED), Long.toHexString(out.flags()), "flags");
    assertEquals(0, out.flags2(), "flags2: no passthrough");
    assertEquals(64, out.maxBackground());
    assertEquals(48, out.congestionThreshold());
    assertEquals(1 << 20, out.maxWrite());
    assertEquals(1, out.timeGran(), "time_gran: nanoseconds");
    assertEquals(256, out.maxPages());
    assertTrue(out.maxPages() * 4096 >= out.maxWrite(), "max_pages covers max_write");
    assertEquals(0, out.mapAlignment());
    assertEquals(0, out.maxStackDepth());
    assertEquals(List.of("init passthrough=false"), fs.calls());
  }

  @Test
  void neitherWritebackCacheNorSetxattrExtIsAgreed() throws IOException {
    // SETXATTR decoding relies on the 8-byte compat fuse_setxattr_in, and the kernel only sends
    // the 16-byte one with FUSE_SETXATTR_EXT agreed.
    FakeDevice device = serve(PLAIN, init(1, 7, 41, KERNEL_OFFERS));

    long agreed = InitOut.read(device.answers().get(0), 1).allFlags();
    assertEquals(0, agreed & FuseH.SETXATTR_EXT, "FUSE_SETXATTR_EXT");
    assertEquals(0, agreed & FuseH.WRITEBACK_CACHE, "FUSE_WRITEBACK_CACHE");
    assertEquals(0, agreed & (FuseH.SECURITY_CTX | FuseH.CREATE_SUPP_GROUP), "request extensions");
  }

  @Test
  void theAgreedFlagsAreOnlyThoseTheKernelOffered() throws IOException {
    long offered = FuseH.ASYNC_READ | FuseH.POSIX_LOCKS | FuseH.MAX_PAGES | FuseH.WRITEBACK_CACHE;
    FakeDevice device = serve(PLAIN, init(1, 7, 41, offered));

    InitOut out = InitOut.read(device.answers().get(0), 1);
    assertEquals(Long.toHexString(FuseH.ASYNC_READ | FuseH.MAX_PAGES), Long.toHexString(out.allFlags()));
  }

  @Test
  void theMinorIsTheLowerOfTheKernelsAndOurs() throws IOException {
    FakeDevice newer = serve(PLAIN, init(1, 7, 45, KERNEL_OFFERS));
    assertEquals(41, InitOut.read(newer.answers().get(0), 1).minor());
    FakeDevice older = serve(PLAIN, init(1, 7, 36, KERNEL_OFFERS));
    assertEquals(36, InitOut.read(older.answers().get(0), 1).minor());
    FakeDevice oldest = serve(PLAIN, init(1, 7, 31, FuseH.ASYNC_READ | FuseH.MAX_PAGES));
    assertEquals(31, InitOut.read(oldest.answers().get(0), 1).minor());
  }

  @Test
  void aKernelOfferingMajor8IsAnsweredWithMajor7AndAsksAgain() throws IOException {
    FakeDevice device = serve(PLAIN, init(1, 8, 0, KERNEL_OFFERS), init(2, 7, 41, KERNEL_OFFERS));

    List<Answer> answers = device.answers();
    assertEquals(2, answers.size());
    Fields first = answers.get(0).assertOk(1, FuseH.INIT_OUT).body();
    assertEquals(7, first.u32(), "major");
    assertEquals(41, first.u32(), "minor");
    assertArrayEquals(new byte[FuseH.INIT_OUT - 8], first.bytes(FuseH.INIT_OUT - 8), "the rest: zero");
    assertEquals(List.of("init passthrough=false"), fs.calls(), "init only after the second INIT");
    InitOut second = InitOut.read(answers.get(1), 2);
    assertEquals(7, second.major());
    assertEquals(Long.toHexString(WANTED), Long.toHexString(second.flags()));
  }

  @Test
  void aKernelOlderThan7_31IsRefusedWithEproto() throws IOException {
    FakeDevice device = FakeDevice.of(init(1, 7, 30, FuseH.ASYNC_READ), request(FuseH.LOOKUP, 2, 1).name("x").build());

    assertThrows(IOException.class, () -> new FuseServer(device, Path.of("/codec-test"), PLAIN, fs).serve());
    List<Answer> answers = device.answers();
    assertEquals(1, answers.size(), "nothing answered after the refusal");
    answers.get(0).assertError(1, FuseH.EPROTO);
    assertEquals(List.of(), fs.calls(), "the filesystem is never initialised");
    assertTrue(device.closed());
  }

  @Test
  void anUnmountBeforeInitEndsTheServeLikeAnyUnmount() throws IOException {
    FakeDevice device = FakeDevice.of(); // ENODEV at the first read, as after fusermount -u

    new FuseServer(device, Path.of("/codec-test"), PLAIN, fs).serve();

    assertEquals(List.of(), device.answers());
    assertEquals(List.of(), fs.calls(), "the filesystem is never initialised");
    assertTrue(device.closed());
  }

  @Test
  void aFirstRequestOtherThanInitIsRefused() {
    FakeDevice device = FakeDevice.of(request(FuseH.LOOKUP, 1, 1).name("x").build());

    assertThrows(IOException.class, () -> new FuseServer(device, Path.of("/codec-test"), PLAIN, fs).serve());
    assertEquals(List.of(), device.answers());
    assertTrue(device.closed());
  }

  @Test
  void passthroughIsAgreedInFlags2WithMaxStackDepth1WhenWantedAndOffered() throws IOException {
    FakeDevice device = serve(PASSTHROUGH, init(1, 7, 41, KERNEL_OFFERS));

    InitOut out = InitOut.read(device.answers().get(0), 1);
    assertEquals(1 << (37 - 32), out.flags2(), "flags2: FUSE_PASSTHROUGH");
    assertEquals(FuseH.INIT_EXT, out.flags() & FuseH.INIT_EXT, "FUSE_INIT_EXT, without which flags2 is ignored");
    assertEquals(Long.toHexString(WANTED), Long.toHexString(out.flags()));
    assertEquals(1, out.maxStackDepth(), "max_stack_depth");
    assertEquals(List.of("init passthrough=true"), fs.calls());
  }

  @Test
  void ioUringIsAgreedInFlags2OnlyWhenWantedAndOffered() throws IOException {
    InitOut agreed = InitOut.read(serve(IO_URING, init(1, 7, 41, KERNEL_OFFERS)).answers().get(0), 1);
    InitOut notWanted = InitOut.read(serve(PLAIN, init(1, 7, 41, KERNEL_OFFERS)).answers().get(0), 1);
    InitOut notOffered = InitOut.read(serve(IO_URING, init(1, 7, 41, KERNEL_OFFERS & ~FuseH.OVER_IO_URING)).answers().get(0), 1);

    assertEquals(FuseH.OVER_IO_URING, agreed.allFlags() & FuseH.OVER_IO_URING, "FUSE_OVER_IO_URING");
    assertEquals(0, notWanted.allFlags() & FuseH.OVER_IO_URING);
    assertEquals(0, notOffered.allFlags() & FuseH.OVER_IO_URING);
  }

  @Test
  void passthroughIsNotAgreedUnlessWantedAndOfferedWithInitExt() throws IOException {
    List<FakeDevice> devices = List.of(
        serve(PLAIN, init(1, 7, 41, KERNEL_OFFERS)), // offered, not wanted
        serve(PASSTHROUGH, init(1, 7, 41, KERNEL_OFFERS & ~FuseH.PASSTHROUGH)), // wanted, not offered
        serve(PASSTHROUGH, init(1, 7, 41, KERNEL_OFFERS & ~FuseH.INIT_EXT))); // flags2 not valid without INIT_EXT

    for (FakeDevice device : devices) {
      InitOut out = InitOut.read(device.answers().get(0), 1);
      assertEquals(0, out.flags2(), "flags2");
      assertEquals(0, out.maxStackDepth(), "max_stack_depth");
    }
    assertEquals(List.of("init passthrough=false", "init passthrough=false", "init passthrough=false"), fs.calls());
  }

  @Test
  void theReadBufferHoldsTheLargestRequestTheKernelMaySend() throws IOException {
    FakeDevice device = serve(PLAIN, init(1, 7, 41, KERNEL_OFFERS));

    int maxWrite = InitOut.read(device.answers().get(0), 1).maxWrite();
    // fuse_dev_do_read refuses a buffer below max(FUSE_MIN_READ_BUFFER, in_header + write_in + max_write).
    int needed = Math.max(FuseH.FUSE_MIN_READ_BUFFER, FuseH.IN_HEADER + 40 + maxWrite);
    assertTrue(device.smallestReadBuffer() >= needed, device.smallestReadBuffer() + " < " + needed);
  }

  @Test
  void serveReturnsAndClosesTheDeviceOnceEveryRequestThreadSeesTheUnmount() throws IOException {
    MountOptions threads = new MountOptions("codec", "codec", false, 4, false, false, false);
    FakeDevice device = serve(threads, init(1, 7, 41, KERNEL_OFFERS), request(FuseH.STATFS, 2, 1).build());

    assertTrue(device.closed());
    assertEquals(2, device.answers().size());
  }
}
