package dev.zero.fusekernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The binding on a real mount: a read-only filesystem of one file, served by the kernel's protocol. */
class FuseServerMountTest {
  static final byte[] CONTENT = "hello from the kernel's protocol\n".getBytes(StandardCharsets.UTF_8);
  private static final byte[] NAME = "hello".getBytes(StandardCharsets.UTF_8);

  /** Root (1) holds one file "hello" (2). */
  static class OneFile implements FileSystem {
    @Override
    public void lookup(Request request, long parent, byte[] name, Entry entry) throws FuseException {
      if (parent != 1 || !Arrays.equals(name, NAME)) {
        throw new FuseException(Errors.ENOENT, "no such name");
      }
      entry.nodeId = 2;
      entry.entryValidNanos = entry.attrValidNanos = 1_000_000_000L;
      fill(2, entry.attr);
    }

    @Override
    public long getattr(Request request, long nodeId, long fh, Attr attr) throws FuseException {
      fill(nodeId, attr);
      return 1_000_000_000L;
    }

    private static void fill(long nodeId, Attr attr) {
      attr.ino = nodeId;
      attr.mode = nodeId == 1 ? 040755 : 0100644;
      attr.nlink = nodeId == 1 ? 2 : 1;
      attr.size = nodeId == 1 ? 0 : CONTENT.length;
      attr.mtimeSec = 1_700_000_000L;
      attr.mtimeNsec = 123;
    }

    @Override
    public void open(Request request, long nodeId, int flags, int openFlags, Opened opened) {
      opened.fh = 7;
    }

    @Override
    public int read(Request request, long nodeId, long fh, long offset, int size, ByteBuffer into) {
      int length = (int) Math.max(0, Math.min(size, CONTENT.length - offset));
      into.put(CONTENT, (int) offset, length);
      return length;
    }

    @Override
    public void opendir(Request request, long nodeId, int flags, Opened opened) {
      opened.fh = 8;
    }

    @Override
    public void readdir(Request request, long nodeId, long fh, long offset, DirectoryListing listing) {
      List<byte[]> names = List.of(".".getBytes(), "..".getBytes(), NAME);
      for (int i = (int) offset; i < names.size(); i++) {
        boolean added;
        if (listing.plus()) {
          Entry entry = listing.entry();
          if (i == 2) {
            entry.nodeId = 2;
            fill(2, entry.attr);
          } else {
            entry.attr.ino = 1;
            entry.attr.mode = 040755;
          }
          added = listing.addPlus(names.get(i), i + 1);
        } else {
          added = listing.add(names.get(i), i == 2 ? 2 : 1, i == 2 ? 0100644 : 040755, i + 1);
        }
        if (!added) {
          return;
        }
      }
    }
  }

  /** Runs {@code server.serve()} on a thread of its own, which ends with the unmount. */
  static Thread serveInBackground(FuseServer server) {
    Thread serving = new Thread(() -> {
      try {
        server.serve();
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    serving.start();
    return serving;
  }

  @Test
  void aMountedFilesystemListsStatsAndReads(@TempDir Path dir) throws Exception {
    assumeTrue(FuseServer.privileged() && Files.exists(Path.of("/dev/fuse")), "mounting needs root and /dev/fuse");
    Path mnt = Files.createDirectory(dir.resolve("mnt"));
    FuseServer server = FuseServer.mount(mnt, new MountOptions("fusekerneltest", "fusekerneltest", false, 1, false, false, false), new OneFile());
    Thread serving = serveInBackground(server);
    try {
      try (Stream<Path> entries = Files.list(mnt)) {
        assertEquals(List.of(mnt.resolve("hello")), entries.toList());
      }
      assertArrayEquals(CONTENT, Files.readAllBytes(mnt.resolve("hello")));
      assertEquals(CONTENT.length, Files.size(mnt.resolve("hello")));
      assertThrows(NoSuchFileException.class, () -> Files.size(mnt.resolve("missing")));
      String mounts = Files.readString(Path.of("/proc/mounts"));
      assertEquals(true, mounts.contains("fusekerneltest " + mnt + " fuse.fusekerneltest "), mounts);
    } finally {
      server.unmount();
      serving.join(10_000);
    }
    assertEquals(false, serving.isAlive(), "serve() must return once the filesystem is unmounted");
  }
}
