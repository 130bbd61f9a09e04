package dev.zero.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Metadata dumps (what backups hold) and fsck, on real MapDB files. */
class BackupAndFsckTest {
  private static final long ROOT = InodeStore.ROOT;
  private static final int FILE = FileMode.S_IFREG | 0644;

  @TempDir Path dir;

  private InodeStore open(String name) throws Exception {
    return InodeStore.open(dir.resolve(name + "/meta.db"), dir.resolve(name + "/content"), Duration.ofHours(1), 0, 0);
  }

  private static long write(InodeStore store, long parent, String name, byte[] data) throws Exception {
    long ino = store.mknod(parent, name, FILE, 0, 0, 0).ino();
    Files.write(store.open(ino, true), data);
    store.wrote(ino, data.length);
    store.release(ino, true);
    return ino;
  }

  @Test
  void aDumpLoadsIntoANewStoreWithEveryNameModeLinkAndXattr() throws Exception {
    ByteArrayOutputStream dump = new ByteArrayOutputStream();
    long uploaded;
    long neverUploaded;
    Inode dirBefore;
    try (InodeStore store = open("a")) {
      dirBefore = store.mkdir(ROOT, "d", 0750, 7, 8);
      uploaded = write(store, dirBefore.ino(), "f", new byte[] {1, 2, 3});
      store.uploads().uploaded(uploaded, 1, "inode/" + uploaded + "/x", 3);
      store.link(uploaded, ROOT, "hard");
      store.symlink(ROOT, "s", "d/f", 0, 0);
      store.setxattr(uploaded, "user.k", new byte[] {9}, 0);
      neverUploaded = write(store, ROOT, "dirty", new byte[] {4, 5});
      store.dump(dump);
    }
    try (InodeStore restored = open("b")) {
      InodeStore.RestoreReport report = restored.load(new ByteArrayInputStream(dump.toByteArray()));
      assertEquals(1, report.filesWithLostContent());
      assertEquals(uploaded, restored.lookup(restored.lookup(ROOT, "d"), "f"));
      assertEquals(uploaded, restored.lookup(ROOT, "hard"));
      Inode file = restored.getattr(uploaded);
      assertEquals(2, file.nlink());
      assertEquals(3, file.size());
      assertEquals(ContentState.REMOTE, file.content(), "content comes back from the remote");
      assertEquals(new RemoteCopy("inode/" + uploaded + "/x", 3), file.remote());
      assertEquals("d/f", restored.readlink(restored.lookup(ROOT, "s")));
      assertArrayEquals(new byte[] {9}, restored.getxattr(uploaded, "user.k"));
      assertEquals(dirBefore.mode(), restored.getattr(dirBefore.ino()).mode());
      assertEquals(7, restored.getattr(dirBefore.ino()).uid());
      assertEquals(0, restored.getattr(neverUploaded).size(), "content never uploaded cannot come back");
      assertEquals(Set.of("inode/" + uploaded + "/x"), InodeStore.remoteKeysIn(new ByteArrayInputStream(dump.toByteArray())));
      assertTrue(restored.mknod(ROOT, "new", FILE, 0, 0, 0).ino() > neverUploaded, "inode numbers go on after the restored ones");
    }
  }

  /** fsck opens the store as it is and lists the remote by the prefixes of the store's keys: it must know them. */
  @Test
  void aStoreOpenedAsItIsOrReadOnlyKnowsItsRemoteKeys() throws Exception {
    long ino;
    try (InodeStore store = open("a")) {
      ino = write(store, ROOT, "f", new byte[] {1, 2, 3});
      store.uploads().uploaded(ino, 1, "fs/inode/" + ino + "/x", 3);
    }
    try (InodeStore store = InodeStore.openReadOnly(dir.resolve("a/meta.db"), dir.resolve("a/content"))) {
      assertEquals(Set.of("fs/inode/" + ino + "/x"), store.remoteKeys());
    }
    try (InodeStore store = InodeStore.openAsIs(dir.resolve("a/meta.db"), dir.resolve("a/content"))) {
      assertEquals(Set.of("fs/inode/" + ino + "/x"), store.remoteKeys());
    }
  }

  /**
   * What a kill -9 leaves (files copied while the store is open): fsck of it keeps the kill
   * visible, and the next open cuts local bytes to committed sizes, turns a clean file with a
   * cut local copy remote-only, and removes content of inodes never committed.
   */
  @Test
  void afterAKillTheNextOpenMakesLocalContentMatchTheCommittedMetadata() throws Exception {
    long grown;
    long cut;
    long uncommitted;
    try (InodeStore store = open("a")) {
      grown = write(store, ROOT, "grown", new byte[] {1, 2, 3});
      cut = write(store, ROOT, "cut", new byte[] {4, 5, 6, 7});
      store.uploads().uploaded(cut, 1, "inode/" + cut + "/x", 4);
      store.sync();
      Files.write(store.content().path(grown), new byte[] {1, 2, 3, 9, 9}); // written, size not committed
      Files.write(store.content().path(cut), new byte[] {4}); // a clean copy damaged
      uncommitted = write(store, ROOT, "uncommitted", new byte[] {8});
      copyTree(dir.resolve("a"), dir.resolve("killed"));
    }
    try (InodeStore store = InodeStore.openAsIs(dir.resolve("killed/meta.db"), dir.resolve("killed/content"))) {
      assertTrue(store.wasKilled());
      Fsck.run(store, Map::of, null, false);
    }
    try (InodeStore store = open("killed")) {
      assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(store.content().path(grown)));
      assertEquals(ContentState.REMOTE, store.getattr(cut).content());
      assertTrue(!Files.exists(store.content().path(cut)));
      assertTrue(!Files.exists(store.content().path(uncommitted)), "content of an inode never committed is removed");
      assertEquals(List.of(), Fsck.run(store, () -> Map.of("inode/" + cut + "/x", 4L), null, false).problems());
    }
  }

  private static void copyTree(Path from, Path to) throws Exception {
    try (var paths = Files.walk(from)) {
      for (Path path : paths.toList()) {
        Path target = to.resolve(from.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(path, target);
        }
      }
    }
  }

  @Test
  void aHealthyStoreHasNoProblems() throws Exception {
    try (InodeStore store = open("a")) {
      Inode d = store.mkdir(ROOT, "d", 0755, 0, 0);
      long f = write(store, d.ino(), "f", new byte[] {1});
      store.link(f, ROOT, "g");
      store.symlink(ROOT, "s", "g", 0, 0);
      store.sync();
      assertEquals(List.of(), Fsck.run(store, null, null, false).problems());
    }
  }

  @Test
  void fsckFindsDamageAndRepairFixesIt() throws Exception {
    long lost;
    long gone;
    long shortened;
    try (InodeStore store = open("a")) {
      Inode d = store.mkdir(ROOT, "d", 0755, 0, 0);
      lost = write(store, d.ino(), "lost", new byte[] {1});
      gone = write(store, ROOT, "gone", new byte[] {1, 2});
      shortened = write(store, ROOT, "short", new byte[] {1, 2, 3, 4});
      long counted = write(store, ROOT, "counted", new byte[] {1});
      store.sync();
      store.dropName(d.ino(), "lost"); // a name vanishes, its inode stays
      store.save(store.getattr(counted).withNlink(5, Timespec.now()));
      store.sync();
      Files.delete(store.content().path(gone)); // content never uploaded, lost on disk
      Files.write(store.content().path(shortened), new byte[] {1}); // as a crash cuts off a rewrite
      Files.write(store.content().path(999_999), new byte[] {1}); // as a crash leaves an uncommitted create
    }
    try (InodeStore store = InodeStore.openAsIs(dir.resolve("a/meta.db"), dir.resolve("a/content"))) {
      Fsck.Result result = Fsck.run(store, null, null, false);
      List<String> problems = result.problems();
      assertEquals(3, problems.size(), String.join("\n", problems));
      assertTrue(problems.stream().anyMatch(p -> p.contains("no name")), problems.toString());
      assertTrue(problems.stream().anyMatch(p -> p.contains("/counted: link count is 5 but should be 1")), problems.toString());
      assertTrue(problems.stream().anyMatch(p -> p.contains("/gone") && p.contains("never uploaded")), problems.toString());
      assertEquals(2, result.leftovers().size(), "crash leftovers are reported, not problems: " + result.leftovers());
      assertEquals(3, Fsck.run(store, null, null, true).repaired());
    }
    try (InodeStore store = InodeStore.openAsIs(dir.resolve("a/meta.db"), dir.resolve("a/content"))) {
      Fsck.Result after = Fsck.run(store, null, null, false);
      assertEquals(List.of(), after.problems(), "after repair");
      assertEquals(List.of(), after.leftovers(), "after repair");
      long lostAndFound = store.lookup(ROOT, "lost+found");
      assertEquals(lost, store.lookup(lostAndFound, "#" + lost));
      assertEquals(gone, store.lookup(lostAndFound, "#" + gone));
      assertEquals(shortened, store.lookup(ROOT, "short"), "a file a crash cut off stays where it is");
      assertArrayEquals(new byte[] {1, 0, 0, 0}, Files.readAllBytes(store.content().path(shortened)),
          "its content is zero-extended to the committed size");
    }
  }

  @Test
  void fsckChecksRemoteCopiesAgainstOneListing() throws Exception {
    try (InodeStore store = open("a")) {
      long f = write(store, ROOT, "f", new byte[] {1, 2});
      store.uploads().uploaded(f, 1, "inode/" + f + "/x", 2);
      store.evict(List.of(f));
      assertEquals(List.of(), Fsck.run(store, () -> Map.of("inode/" + f + "/x", 2L), null, false).problems());
      List<String> problems = Fsck.run(store, Map::of, null, false).problems();
      assertEquals(1, problems.size());
      assertTrue(problems.get(0).contains("/f: its remote copy") && problems.get(0).contains("missing"), problems.get(0));
    }
  }
}
