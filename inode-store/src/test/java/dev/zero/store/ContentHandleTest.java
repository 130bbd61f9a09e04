package dev.zero.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** File I/O through content handles, on a real store and real content files. */
class ContentHandleTest {
  private static final int FILE = FileMode.S_IFREG | 0644;

  @TempDir Path dir;
  private InodeStore store;
  private final Map<String, byte[]> remote = new HashMap<>();

  @BeforeEach
  void open() throws Exception {
    store = InodeStore.open(dir.resolve("meta/zero.db"), dir.resolve("content"), Duration.ofSeconds(60), 0, 0);
    store.setFetcher((key, offset, length, target) -> {
      byte[] object = remote.get(key);
      int count = (int) Math.min(length, object.length - offset);
      return target.write(ByteBuffer.wrap(object, (int) offset, count), offset);
    });
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void writesSetTheSizeAndAreReadBack() throws Exception {
    long ino = store.mknod(InodeStore.ROOT, "f", FILE, 0, 0, 0).ino();
    try (ContentHandle handle = ContentHandle.open(store, ino, true)) {
      assertEquals(5, handle.write(3, direct(new byte[] {1, 2, 3, 4, 5}), null));
      assertEquals(8, store.getattr(ino).size());
      assertArrayEquals(new byte[] {0, 0, 0, 1, 2, 3, 4, 5}, read(handle, 0, 100));
    }
    assertEquals(List.of(ino), store.uploads().jobs(Duration.ZERO).stream().map(Uploads.UploadJob::ino).toList(), "written: to upload");
  }

  @Test
  void aReadOfAnEvictedFileRecallsItAndAnOpenFileIsNeverEvicted() throws Exception {
    long ino = store.mknod(InodeStore.ROOT, "f", FILE, 0, 0, 0).ino();
    try (ContentHandle handle = ContentHandle.open(store, ino, true)) {
      handle.write(0, direct(new byte[] {7, 8, 9}), null);
    }
    Uploads.UploadJob job = store.uploads().jobs(Duration.ZERO).get(0);
    remote.put("k", Files.readAllBytes(job.file()));
    store.uploads().uploaded(ino, job.version(), "k", job.size());
    assertEquals(1, store.evict(List.of(ino)));
    assertEquals(ContentState.REMOTE, store.getattr(ino).content());

    try (ContentHandle handle = ContentHandle.open(store, ino, false)) {
      assertArrayEquals(new byte[] {8, 9}, read(handle, 1, 2));
      assertArrayEquals(new byte[] {7, 8, 9}, read(handle, 0, 3));
      store.settleRecalls(); // read to its end: local and clean now
      assertEquals(ContentState.LOCAL_CLEAN, store.getattr(ino).content());
      assertEquals(0, store.evict(List.of(ino)), "open: not evicted");
    }
    assertEquals(1, store.evict(List.of(ino)), "closed again: evicted");
  }

  @Test
  void fallocatePunchingAHoleKeepsTheSizeAndUnknownModesAreRefused() throws Exception {
    long ino = store.mknod(InodeStore.ROOT, "f", FILE, 0, 0, 0).ino();
    try (ContentHandle handle = ContentHandle.open(store, ino, true)) {
      handle.write(0, direct(new byte[] {1, 2, 3, 4}), null);
      handle.fallocate(InodeStore.FALLOC_FL_PUNCH_HOLE | InodeStore.FALLOC_FL_KEEP_SIZE, 1, 2);
      assertArrayEquals(new byte[] {1, 0, 0, 4}, read(handle, 0, 4));
      assertEquals(4, store.getattr(ino).size());
      handle.fallocate(0, 0, 10);
      assertEquals(10, store.getattr(ino).size());
      assertEquals(Errno.EOPNOTSUPP, assertThrows(FsException.class, () -> handle.fallocate(0x08, 0, 4)).errno(), "collapse range");
    }
  }

  private static ByteBuffer direct(byte[] bytes) {
    return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
  }

  private static byte[] read(ContentHandle handle, long offset, int size) throws FsException {
    ByteBuffer into = ByteBuffer.allocateDirect(size);
    int read = handle.read(offset, size, into);
    byte[] bytes = new byte[read];
    into.get(0, bytes);
    return bytes;
  }
}
