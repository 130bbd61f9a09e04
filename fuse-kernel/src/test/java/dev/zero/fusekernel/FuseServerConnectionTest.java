package dev.zero.fusekernel;

import static dev.zero.fusekernel.KernelMessages.KERNEL_OFFERS;
import static dev.zero.fusekernel.KernelMessages.init;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.zero.fusekernel.KernelMessages.Answer;
import dev.zero.fusekernel.KernelMessages.Fields;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** What the filesystem asks of the kernel itself: notifications and backing files. */
class FuseServerConnectionTest {
  private static final MountOptions OPTIONS = new MountOptions("codec", "codec", false, 1, true, false, false);

  /**
   * Serves INIT, lets {@code atInit} use the connection from FileSystem.init, waits up to 2 s for
   * {@code writes} writes (the notifications come from a thread of their own), then unmounts.
   */
  private static List<Answer> serve(FakeDevice device, Consumer<Connection> atInit, int writes) throws Exception {
    FileSystem fs = new FileSystem() {
      @Override
      public void init(Connection connection) {
        atInit.accept(connection);
      }
    };
    device.add(init(1, 7, 41, KERNEL_OFFERS));
    FuseServer server = new FuseServer(device, Path.of("/codec-test"), OPTIONS, fs, 1);
    Thread serving = new Thread(() -> {
      try {
        server.serve();
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    serving.start();
    try {
      return device.awaitAnswers(writes);
    } finally {
      device.end();
      serving.join(5_000);
      assertFalse(serving.isAlive(), "serve() returns after the unmount");
    }
  }

  @Test
  void invalidateAttributesWritesFuseNotifyInvalInodeOut() throws Exception {
    List<Answer> writes = serve(new FakeDevice(), connection -> connection.invalidateAttributes(0x1234), 2);

    assertEquals(2, writes.size(), "INIT's answer and the notification");
    Fields out = writes.get(1).assertHeader(0, FuseH.NOTIFY_INVAL_INODE, 24).body(); // unique 0, error = code
    assertEquals(0x1234, out.u64(), "ino");
    assertEquals(-1, out.u64(), "off: -1, the attributes only");
    assertEquals(0, out.u64(), "len");
  }

  @Test
  void invalidateEntryWritesFuseNotifyInvalEntryOutAndTheNameWithItsNul() throws Exception {
    byte[] name = "file-é.txt".getBytes(StandardCharsets.UTF_8);
    List<Answer> writes = serve(new FakeDevice(), connection -> {
      connection.invalidateEntry(1, name);
      connection.invalidateAttributes(7);
    }, 3);

    assertEquals(3, writes.size(), "INIT's answer and both notifications, in order");
    Fields out = writes.get(1).assertHeader(0, FuseH.NOTIFY_INVAL_ENTRY, 16 + name.length + 1).body();
    assertEquals(1, out.u64(), "parent");
    assertEquals(name.length, out.u32(), "namelen: without the NUL");
    assertEquals(0, out.u32(), "flags");
    assertEquals("file-é.txt", new String(out.bytes(name.length), StandardCharsets.UTF_8));
    assertEquals(0, out.bytes(1)[0], "the NUL");
    writes.get(2).assertHeader(0, FuseH.NOTIFY_INVAL_INODE, 24);
  }

  @Test
  void openBackingAndCloseBackingUseTheBackingIoctlsWithFuseBackingMap() throws Exception {
    FakeDevice device = new FakeDevice();
    int[] id = new int[1];
    FuseException[] refused = new FuseException[1];
    serve(device, connection -> {
      try {
        device.ioctlResult = 3;
        id[0] = connection.openBacking(42);
        device.ioctlResult = 0;
        connection.closeBacking(3);
        device.ioctlResult = -FuseH.EPERM;
        refused[0] = assertThrows(FuseException.class, () -> connection.openBacking(43));
      } catch (FuseException e) {
        throw new AssertionError(e);
      }
    }, 1);

    assertEquals(3, id[0], "the backing id the kernel returned");
    assertEquals(FuseH.EPERM, refused[0].errno());
    String open = Long.toHexString(FuseH.DEV_IOC_BACKING_OPEN);
    String close = Long.toHexString(FuseH.DEV_IOC_BACKING_CLOSE);
    // struct fuse_backing_map: int32 fd, uint32 flags, uint64 padding
    assertEquals(List.of(open + " [42, 0, 0, 0]", close + " [3]", open + " [43, 0, 0, 0]"), device.ioctls());
  }
}
