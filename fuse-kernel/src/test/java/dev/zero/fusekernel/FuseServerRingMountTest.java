package dev.zero.fusekernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The binding over FUSE over io_uring on a real mount. The kernel offers it only while the fuse
 * module's enable_uring is Y (at INIT and as each entry registers), so the test turns it on for
 * the mount and restores it after the unmount.
 */
class FuseServerRingMountTest {
  private static final Path ENABLE_URING = Path.of("/sys/module/fuse/parameters/enable_uring");
  private static final byte[] SLOW = "slow".getBytes(StandardCharsets.UTF_8);

  /** {@link FuseServerMountTest.OneFile}, whose lookup of "slow" waits for {@link #release}. */
  private static final class SlowLookup extends FuseServerMountTest.OneFile {
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch slowAsked = new CountDownLatch(1);
    volatile String readBy = "";

    @Override
    public void lookup(Request request, long parent, byte[] name, Entry entry) throws FuseException {
      if (Arrays.equals(name, SLOW)) {
        slowAsked.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        throw new FuseException(Errors.ENOENT, "slow, and missing");
      }
      super.lookup(request, parent, name, entry);
    }

    @Override
    public int read(Request request, long nodeId, long fh, long offset, int size, ByteBuffer into) {
      readBy = Thread.currentThread().getName();
      return super.read(request, nodeId, fh, offset, size, into);
    }
  }

  @Test
  void requestsComeOverTheRingsAndASlowOneHoldsUpNoOtherOnItsCpu(@TempDir Path dir) throws Exception {
    assumeTrue(FuseServer.privileged() && Files.exists(ENABLE_URING), "FUSE over io_uring needs root and a kernel with it");
    String enabled = Files.readString(ENABLE_URING).trim();
    Path mnt = Files.createDirectory(dir.resolve("mnt"));
    SlowLookup fs = new SlowLookup();
    Files.writeString(ENABLE_URING, "Y");
    try {
      FuseServer server = FuseServer.mount(mnt, new MountOptions("ringtest", "ringtest", false, 1, false, true, false), fs);
      Thread serving = FuseServerMountTest.serveInBackground(server);
      Process slow = null;
      Process quick = null;
      try {
        awaitReadOverRing(mnt, fs);
        slow = new ProcessBuilder("taskset", "-c", "0", "stat", mnt.resolve("slow").toString()).start();
        assertTrue(fs.slowAsked.await(10, TimeUnit.SECONDS), "the slow lookup never arrived");
        quick = new ProcessBuilder("taskset", "-c", "0", "cat", mnt.resolve("hello").toString()).start();
        assertTrue(quick.waitFor(10, TimeUnit.SECONDS), "a read from the slow lookup's CPU waited for it");
        assertArrayEquals(FuseServerMountTest.CONTENT, quick.getInputStream().readAllBytes());
        assertTrue(slow.isAlive(), "the slow lookup answered before it was released");
        fs.release.countDown();
        assertTrue(slow.waitFor(10, TimeUnit.SECONDS));
        assertEquals(1, slow.exitValue(), "stat of a missing name fails");
      } finally {
        fs.release.countDown();
        for (Process process : new Process[] {slow, quick}) {
          if (process != null) {
            process.destroyForcibly();
          }
        }
        server.unmount();
        serving.join(10_000);
      }
      assertEquals(false, serving.isAlive(), "serve() must return once the filesystem is unmounted");
    } finally {
      Files.writeString(ENABLE_URING, enabled);
    }
  }

  /**
   * The kernel moves to the rings once every CPU's queue has an entry, a moment after the mount:
   * reads the file (each read a fresh one, as the cache is dropped) until a ring thread answers.
   */
  private static void awaitReadOverRing(Path mnt, SlowLookup fs) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!fs.readBy.startsWith("fuse-ring-")) {
      assertTrue(System.nanoTime() < deadline, "no request came over io_uring; the last read was answered by " + fs.readBy);
      Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "1");
      assertArrayEquals(FuseServerMountTest.CONTENT, Files.readAllBytes(mnt.resolve("hello")));
      Thread.sleep(50);
    }
  }
}
