package dev.zero.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metadata tables across clean closes, torn journals, checkpoints and kill -9. */
class MetadataTest {
  @TempDir Path dir;

  private Path file() {
    return dir.resolve("meta/zero.db");
  }

  @Test
  void aCleanCloseKeepsTheIndexAndAnythingElseRebuildsIt() throws Exception {
    Files.createDirectories(file().getParent());
    try (Metadata metadata = Metadata.open(file())) {
      assertTrue(metadata.rebuilt(), "a new store is built from its (empty) journal");
      metadata.symlinks.put(7L, "target");
      metadata.commit();
    }
    try (Metadata metadata = Metadata.open(file())) {
      assertFalse(metadata.rebuilt(), "after a clean close the MapDB file is used as it is");
      assertEquals("target", metadata.symlinks.get(7L));
      metadata.symlinks.put(8L, "kept");
      metadata.commit();
      metadata.symlinks.put(9L, "never committed");
      copyFilesAsAKillLeavesThem(dir.resolve("killed"));
    }
    try (Metadata metadata = Metadata.open(dir.resolve("killed/zero.db"))) {
      assertTrue(metadata.rebuilt(), "without a clean close the index is rebuilt from the journal");
      assertEquals("target", metadata.symlinks.get(7L));
      assertEquals("kept", metadata.symlinks.get(8L));
      assertNull(metadata.symlinks.get(9L), "a change never committed is not there");
    }
  }

  @Test
  void aTornLastRecordIsDroppedAndTheRestReplayed() throws Exception {
    Files.createDirectories(file().getParent());
    try (Metadata metadata = Metadata.open(file())) {
      metadata.symlinks.put(1L, "one");
      metadata.commit();
      metadata.symlinks.put(2L, "two");
      metadata.symlinks.remove(1L);
      metadata.commit();
      copyFilesAsAKillLeavesThem(dir.resolve("killed"));
    }
    Path journal = dir.resolve("killed/zero.db.journal");
    try (RandomAccessFile raf = new RandomAccessFile(journal.toFile(), "rw")) {
      raf.setLength(raf.length() - 3); // the kill fell in the middle of the second record
    }
    try (Metadata metadata = Metadata.open(dir.resolve("killed/zero.db"))) {
      assertEquals("one", metadata.symlinks.get(1L));
      assertNull(metadata.symlinks.get(2L), "a torn record is applied not at all");
      metadata.symlinks.put(3L, "three");
      metadata.commit();
    }
    try (Metadata metadata = Metadata.open(dir.resolve("killed/zero.db"))) {
      assertEquals("three", metadata.symlinks.get(3L), "appending went on after the last whole record");
    }
  }

  @Test
  void aCheckpointFoldsTheJournalAndSurvivesAKill() throws Exception {
    Files.createDirectories(file().getParent());
    try (Metadata metadata = Metadata.open(file(), 4096)) {
      for (long i = 0; i < 500; i++) {
        metadata.symlinks.put(i, "target-" + i);
        metadata.dentries.put(InodeStore.key(1, "name-" + i), i);
        if (i % 3 == 0) {
          metadata.dentries.remove(InodeStore.key(1, "name-" + (i / 2)));
        }
        metadata.commit();
      }
      assertTrue(Files.exists(dir.resolve("meta/zero.db.checkpoint")));
      assertTrue(Files.size(dir.resolve("meta/zero.db.journal")) < 8192, "the journal started again after a checkpoint");
      copyFilesAsAKillLeavesThem(dir.resolve("killed"));
    }
    try (Metadata rebuilt = Metadata.open(dir.resolve("killed/zero.db")); Metadata closed = Metadata.open(file())) {
      assertTrue(rebuilt.rebuilt());
      assertEquals(closed.symlinks.read(), rebuilt.symlinks.read());
      assertEquals(List.copyOf(closed.dentries.read().keySet()).size(), rebuilt.dentries.read().size());
      for (Object[] key : closed.dentries.read().keySet()) {
        assertEquals(closed.dentries.get(key), rebuilt.dentries.get(key));
      }
    }
  }

  /**
   * kill -9 of a process that commits every few milliseconds, checkpoints included. After every
   * kill, the reopened tables hold exactly some prefix of the commits, at least every commit the
   * process reported as done.
   */
  @Test
  void killNineAtRandomLeavesExactlyThePrefixOfCommits() throws Exception {
    Random random = new Random();
    long seed = random.nextLong();
    random.setSeed(seed);
    Path store = dir.resolve("killed/zero.db");
    Files.createDirectories(store.getParent());
    long reported = 0;
    for (int kill = 0; kill < 12; kill++) {
      Path log = dir.resolve("writer-" + kill + ".log");
      // Its own temp directory, gone with the test's: lz4-java copies its JNI library there at
      // each start, and a killed JVM leaves it.
      Process writer = new ProcessBuilder(javaBinary(), "-Djava.io.tmpdir=" + dir, "-cp", System.getProperty("java.class.path"),
          MetadataWriter.class.getName(), store.toString())
          .redirectOutput(log.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      long startDeadline = System.currentTimeMillis() + 30_000;
      while (Files.size(log) == 0 && writer.isAlive() && System.currentTimeMillis() < startDeadline) {
        Thread.sleep(5); // the JVM starts: kill only once commits are under way
      }
      Thread.sleep(random.nextInt(500));
      writer.destroyForcibly(); // SIGKILL
      assertTrue(writer.waitFor(10, TimeUnit.SECONDS));
      for (String line : Files.readAllLines(log)) {
        if (!line.isEmpty()) {
          reported = Math.max(reported, Long.parseLong(line.trim()));
        }
      }
      try (Metadata metadata = Metadata.open(store, MetadataWriter.CHECKPOINT_AFTER_BYTES)) {
        long committed = metadata.counter("n");
        String context = "seed " + seed + ", kill " + kill + ": ";
        assertTrue(committed >= reported, context + "commit " + reported + " was reported done, the store has " + committed);
        assertTrue(committed <= reported + 1, context + "the store has commit " + committed + ", past the one in flight");
        MetadataWriter.check(metadata, committed, context);
        reported = committed;
      }
    }
    assertTrue(reported > 12, "the writer got going (" + reported + " commits)");
    System.out.println("MetadataTest: 12 kills survived, " + reported + " commits checked (seed " + seed + ")");
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Copies the metadata files as they are now, as a kill -9 would leave them. */
  private void copyFilesAsAKillLeavesThem(Path target) throws IOException {
    Files.createDirectories(target);
    try (Stream<Path> files = Files.list(file().getParent())) {
      for (Path path : files.toList()) {
        Files.copy(path, target.resolve(path.getFileName()));
      }
    }
  }

  /** The process the kill test kills: commits forever, printing each commit's number once durable. */
  static final class MetadataWriter {
    static final long CHECKPOINT_AFTER_BYTES = 64 << 10;
    private static final int WINDOW = 50;

    public static void main(String[] args) throws IOException {
      try (Metadata metadata = Metadata.open(Path.of(args[0]), CHECKPOINT_AFTER_BYTES)) {
        for (long n = metadata.counter("n") + 1; ; n++) {
          // Commit n: adds entry n, drops entry n - WINDOW, and counts; all or none must be there.
          metadata.symlinks.put(n, "target-" + n);
          metadata.symlinks.remove(n - WINDOW);
          metadata.dentries.put(InodeStore.key(1, "name-" + n), n);
          metadata.counters.put("n", n);
          metadata.commit();
          System.out.println(n);
          System.out.flush();
        }
      }
    }

    static void check(Metadata metadata, long n, String context) {
      List<String> wrong = new ArrayList<>();
      for (long i = Math.max(1, n - WINDOW - 5); i <= n + 5; i++) {
        String target = metadata.symlinks.get(i);
        boolean expected = i > n - WINDOW && i <= n;
        if (expected != (target != null) || (target != null && !target.equals("target-" + i))) {
          wrong.add("symlink " + i + " = " + target);
        }
        Long entry = metadata.dentries.get(InodeStore.key(1, "name-" + i));
        if ((i <= n) != (entry != null)) {
          wrong.add("entry name-" + i + " = " + entry);
        }
      }
      if (metadata.dentries.read().size() != n) {
        wrong.add(metadata.dentries.read().size() + " entries, not " + n);
      }
      assertEquals(List.of(), wrong, context + "commit " + n);
    }
  }
}
