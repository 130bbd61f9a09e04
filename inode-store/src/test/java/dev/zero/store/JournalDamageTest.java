package dev.zero.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage to the journal or the checkpoint (anything but the tear a kill leaves at the end) is
 * found on every open, changes nothing, and fsck --repair keeps the records before it.
 */
class JournalDamageTest {
  private static final int COMMITS = 40;

  @TempDir Path dir;

  private Path file() {
    return dir.resolve("meta/zero.db");
  }

  private Path journal() {
    return dir.resolve("meta/zero.db.journal");
  }

  /** Commits symlink i (0 <= i < COMMITS), one per record; closes cleanly unless it copies the files as a kill leaves them to {@code killed}. */
  private void writeCommits(Path killed) throws IOException {
    Files.createDirectories(file().getParent());
    try (Metadata metadata = Metadata.open(file())) {
      for (long i = 0; i < COMMITS; i++) {
        metadata.symlinks.put(i, "target-" + i);
        metadata.commit();
      }
      if (killed != null) {
        copyFiles(file().getParent(), killed);
      }
    }
  }

  @Test
  void aByteFlippedMidJournalAfterACleanCloseIsFoundAndNothingChanges() throws Exception {
    writeCommits(null);
    long record = recordStarts(journal()).get(COMMITS / 2);
    flipByte(journal(), record + 12);
    Map<String, String> before = hashes(file().getParent());
    JournalDamage damage = assertThrows(JournalDamage.class, () -> Metadata.open(file()));
    assertEquals(journal(), damage.file());
    assertEquals(record, damage.offset());
    assertTrue(damage.getMessage().contains(journal() + " is damaged at byte " + record), damage.getMessage());
    assertEquals(before, hashes(file().getParent()), "a refused open changes no file, the clean marker included");
  }

  @Test
  void aByteFlippedMidJournalAfterAKillIsDamageNotATornTail() throws Exception {
    Path killed = dir.resolve("killed");
    writeCommits(killed);
    Path killedJournal = killed.resolve("zero.db.journal");
    long record = recordStarts(killedJournal).get(COMMITS / 2);
    flipByte(killedJournal, record + 12);
    Map<String, String> before = hashes(killed);
    JournalDamage damage = assertThrows(JournalDamage.class, () -> Metadata.open(killed.resolve("zero.db")));
    assertEquals(record, damage.offset());
    assertEquals(before, hashes(killed), "nothing is cut off the journal, and the index is not deleted");
  }

  @Test
  void aFlippedLengthMakesNoTornTailOfTheRecordsAfterIt() throws Exception {
    Path killed = dir.resolve("killed");
    writeCommits(killed);
    Path killedJournal = killed.resolve("zero.db.journal");
    long record = recordStarts(killedJournal).get(COMMITS / 2);
    flipByte(killedJournal, record); // the length's high byte: the record seems to run past the end
    JournalDamage damage = assertThrows(JournalDamage.class, () -> Metadata.open(killed.resolve("zero.db")));
    assertEquals(record, damage.offset());
    assertTrue(damage.getMessage().contains("a whole record follows at byte"), damage.getMessage());
  }

  @Test
  void aJournalShorterThanItsCleanMarkerSaysIsDamage() throws Exception {
    writeCommits(null);
    long cut = recordStarts(journal()).get(COMMITS / 2); // a record boundary: what is left reads whole
    try (RandomAccessFile raf = new RandomAccessFile(journal().toFile(), "rw")) {
      raf.setLength(cut);
    }
    JournalDamage damage = assertThrows(JournalDamage.class, () -> Metadata.open(file()));
    assertEquals(cut, damage.offset());
    assertTrue(damage.getMessage().contains("the last clean unmount left it"), damage.getMessage());
  }

  @Test
  void aByteFlippedMidCheckpointIsFoundAfterACleanCloseAndAfterAKill() throws Exception {
    Files.createDirectories(file().getParent());
    Path killed = dir.resolve("killed");
    try (Metadata metadata = Metadata.open(file(), 4096)) {
      for (long i = 0; i < 500; i++) {
        metadata.symlinks.put(i, "target-" + i);
        metadata.commit();
      }
      copyFiles(file().getParent(), killed);
    }
    for (Path meta : List.of(file().getParent(), killed)) {
      Path checkpoint = meta.resolve("zero.db.checkpoint");
      flipByte(checkpoint, Files.size(checkpoint) / 2);
      Map<String, String> before = hashes(meta);
      JournalDamage damage = assertThrows(JournalDamage.class, () -> Metadata.open(meta.resolve("zero.db"), 4096));
      assertEquals(checkpoint, damage.file());
      assertTrue(damage.getMessage().startsWith("the metadata checkpoint " + checkpoint + " is damaged at byte "), damage.getMessage());
      assertEquals(before, hashes(meta), "a refused open changes no file");
    }
  }

  @Test
  void salvageKeepsTheRecordsBeforeTheDamageAndTheDamagedJournal() throws Exception {
    writeCommits(null);
    long record = recordStarts(journal()).get(COMMITS / 2);
    flipByte(journal(), record + 12);
    byte[] damaged = Files.readAllBytes(journal());
    List<String> kept = Fsck.salvage(file());
    assertEquals(1, kept.size(), kept.toString());
    try (Stream<Path> files = Files.list(file().getParent())) {
      List<Path> evidence = files.filter(f -> f.getFileName().toString().startsWith("zero.db.journal.damaged-")).toList();
      assertEquals(1, evidence.size());
      assertArrayEquals(damaged, Files.readAllBytes(evidence.get(0)), "the damaged journal is kept as it was");
    }
    try (Metadata metadata = Metadata.open(file())) {
      Map<Long, String> expected = new TreeMap<>();
      for (long i = 0; i < COMMITS / 2; i++) {
        expected.put(i, "target-" + i);
      }
      assertEquals(expected, new TreeMap<>(metadata.symlinks.read()), "exactly the commits before the damage");
    }
  }

  @Test
  void withAnEmptyIndexFileACleanOpenRebuildsFromTheJournal() throws Exception {
    writeCommits(null);
    Files.write(file(), new byte[0]);
    try (Metadata metadata = Metadata.open(file())) {
      assertTrue(metadata.rebuilt());
      assertEquals(COMMITS, metadata.symlinks.read().size());
    }
  }

  private InodeStore openStore(Path root) throws IOException {
    return InodeStore.open(root.resolve("meta/zero.db"), root.resolve("content"), Duration.ofHours(1), 0, 0);
  }

  private static long writeFile(InodeStore store, String name, byte[] data) throws Exception {
    long ino = store.mknod(InodeStore.ROOT, name, FileMode.S_IFREG | 0644, 0, 0, 0).ino();
    Files.write(store.open(ino, true), data);
    store.wrote(ino, data.length);
    store.release(ino, true);
    store.sync();
    return ino;
  }

  @Test
  void fsckReadsWithoutChangingAFileAndRepairKeepsContentTheLostRecordsExplained() throws Exception {
    Path root = dir.resolve("cache");
    long journalBefore;
    try (InodeStore store = openStore(root)) {
      writeFile(store, "early", new byte[] {1});
      journalBefore = Files.size(root.resolve("meta/zero.db.journal"));
      writeFile(store, "late", new byte[] {2, 3});
    }
    Path journal = root.resolve("meta/zero.db.journal");
    flipByte(journal, journalBefore + 12); // in the first record after "early"
    Map<String, String> before = hashes(root);
    assertThrows(JournalDamage.class, () -> InodeStore.openReadOnly(root.resolve("meta/zero.db"), root.resolve("content")));
    assertThrows(JournalDamage.class, () -> openStore(root));
    assertEquals(before, hashes(root), "neither fsck nor a mount changed anything");

    assertEquals(1, Fsck.salvage(root.resolve("meta/zero.db")).size());
    try (InodeStore store = InodeStore.openAsIs(root.resolve("meta/zero.db"), root.resolve("content"))) {
      Fsck.run(store, null, null, true, true);
    }
    try (InodeStore store = openStore(root)) {
      long early = store.lookup(InodeStore.ROOT, "early");
      assertArrayEquals(new byte[] {1}, Files.readAllBytes(store.content().path(early)));
      List<byte[]> lost = new ArrayList<>();
      long lostAndFound = store.lookup(InodeStore.ROOT, "lost+found");
      for (DirEntry entry : store.readdir(lostAndFound)) {
        lost.add(Files.readAllBytes(store.content().path(entry.ino())));
      }
      assertEquals(1, lost.size(), "the file whose records were lost is in /lost+found");
      assertArrayEquals(new byte[] {2, 3}, lost.get(0));
      assertEquals(List.of(), Fsck.run(store, null, null, false).problems());
    }
  }

  @Test
  void afterAKillContentNumberedPastTheMetadataIsKept() throws Exception {
    Path root = dir.resolve("cache");
    Path behind = dir.resolve("behind");
    long late;
    try (InodeStore store = openStore(root)) {
      writeFile(store, "early", new byte[] {1});
      copyFiles(root.resolve("meta"), behind); // metadata as of before the next 1100 creates
      for (int i = 0; i < 1100; i++) {
        store.mknod(InodeStore.ROOT, "n" + i, FileMode.S_IFREG | 0644, 0, 0, 0);
      }
      late = writeFile(store, "late", new byte[] {4});
    }
    replaceFiles(behind, root.resolve("meta"));
    try (InodeStore store = openStore(root)) {
      assertFalse(store.content().localLength(late) < 0, "content numbered past every number handed out is no crash leftover");
    }
  }

  /** Where each record starts: after the 24-byte header, [length][crc][payload] follow one another. */
  private static List<Long> recordStarts(Path journal) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(journal));
    List<Long> starts = new ArrayList<>();
    for (int at = 24; at + 8 <= bytes.limit(); at += 8 + bytes.getInt(at)) {
      starts.add((long) at);
    }
    return starts;
  }

  private static void flipByte(Path file, long offset) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(offset);
      int b = raf.read();
      raf.seek(offset);
      raf.write(b ^ 0xff);
    }
  }

  /** Every file under {@code root} with the SHA-256 of its bytes. */
  static Map<String, String> hashes(Path root) throws Exception {
    Map<String, String> hashes = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.filter(Files::isRegularFile).toList()) {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(path));
        hashes.put(root.relativize(path).toString(), HexFormat.of().formatHex(digest));
      }
    }
    return hashes;
  }

  private static void copyFiles(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path path : files.toList()) {
        Files.copy(path, to.resolve(path.getFileName()));
      }
    }
  }

  private static void replaceFiles(Path source, Path target) throws IOException {
    try (Stream<Path> files = Files.list(target)) {
      for (Path path : files.toList()) {
        Files.delete(path);
      }
    }
    copyFiles(source, target);
  }
}
