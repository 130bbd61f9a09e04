package dev.zero.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pins on a real store: eviction passes over them, new files inherit them, and they outlive a remount and a restore. */
class PinTest {
  private static final long ROOT = InodeStore.ROOT;
  private static final int FILE = FileMode.S_IFREG | 0644;

  @TempDir Path dir;

  private InodeStore open(String name) throws Exception {
    return InodeStore.open(dir.resolve(name + "/meta.db"), dir.resolve(name + "/content"), Duration.ofHours(1), 0, 0);
  }

  /** A file written and uploaded: clean, so eviction may take it unless it is pinned. */
  private static long cleanFile(InodeStore store, long parent, String name) throws Exception {
    long ino = store.mknod(parent, name, FILE, 0, 0, 0).ino();
    Files.write(store.open(ino, true), new byte[4096]);
    store.wrote(ino, 4096);
    store.release(ino, true);
    assertTrue(store.uploads().uploaded(ino, 1, "inode/" + ino + "/x", 4096));
    return ino;
  }

  @Test
  void evictionPassesOverPinnedFilesAndWhatIsMadeInAPinnedDirectoryIsPinned() throws Exception {
    try (InodeStore store = open("a")) {
      long kept = store.mkdir(ROOT, "kept", 0755, 0, 0).ino();
      store.setPinned(kept, true);
      long inKept = cleanFile(store, kept, "f");
      long other = cleanFile(store, ROOT, "other");

      assertTrue(store.state(inKept).pinned(), "a file made in a pinned directory is pinned");
      assertFalse(store.state(other).pinned());
      assertEquals(1, store.evictLeastRecentlyUsed(Long.MAX_VALUE), "only the unpinned file goes");
      assertEquals(Placement.Residence.SYNCED, store.state(inKept).residence());
      assertEquals(Placement.Residence.REMOTE, store.state(other).residence());
      assertEquals(0, store.evict(List.of(inKept)), "an explicit eviction passes over a pinned file too");
      assertEquals(4096, store.pinnedBytes());
    }
  }

  @Test
  void pinsOutliveARemountAndARestoreAndAreNeitherListedNorSettable() throws Exception {
    ByteArrayOutputStream dump = new ByteArrayOutputStream();
    long file;
    try (InodeStore store = open("a")) {
      file = cleanFile(store, ROOT, "f");
      store.setPinned(file, true);
      store.setxattr(file, "user.mine", new byte[] {1}, 0);
    }
    try (InodeStore store = open("a")) {
      assertTrue(store.state(file).pinned(), "after a remount");
      assertEquals(List.of("user.mine"), store.listxattr(file), "the pin is no xattr of the user's");
      String state = new String(store.getxattr(file, InodeStore.STATE_XATTR), StandardCharsets.UTF_8);
      assertEquals("synced pinned local=4096 size=4096", state);
      assertEquals(Errno.EPERM, assertThrows(FsException.class,
          () -> store.setxattr(file, InodeStore.STATE_XATTR, new byte[0], 0)).errno());
      store.dump(dump);
    }
    try (InodeStore restored = open("b")) {
      restored.load(new ByteArrayInputStream(dump.toByteArray()));
      assertTrue(restored.state(file).pinned(), "after a restore");
      assertEquals(Placement.Residence.REMOTE, restored.state(file).residence(), "restored content is remote until recalled");
      restored.setPinned(file, false);
      assertFalse(restored.state(file).pinned());
      assertEquals(0, restored.pinnedBytes());
    }
  }
}
