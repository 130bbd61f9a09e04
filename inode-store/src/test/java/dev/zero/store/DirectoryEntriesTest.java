package dev.zero.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The in-memory copy of recent directories answers exactly what the metadata table holds. */
class DirectoryEntriesTest {
  private static final int DIRECTORIES = 12;

  @TempDir Path dir;

  @Test
  void lookupsAndListingsAgreeWithTheTableThroughChangesAndEvictions() throws Exception {
    try (Metadata metadata = Metadata.open(dir.resolve("zero.db"))) {
      DirectoryEntries entries = new DirectoryEntries(metadata.dentries, 40); // a few directories' worth
      Random random = new Random(7);
      for (int step = 0; step < 20_000; step++) {
        long d = 1 + random.nextInt(DIRECTORIES);
        String name = "n" + random.nextInt(30);
        switch (random.nextInt(6)) {
          case 0, 1 -> entries.put(d, name, random.nextInt(1000));
          case 2 -> entries.remove(d, name);
          case 3 -> entries.names(d);
          case 4 -> {
            if (entries.isEmpty(d)) {
              entries.removed(d);
              entries.made(d);
            }
          }
          default -> assertEquals(inTable(metadata, d).get(name), entries.child(d, name), "lookup of " + name + " in " + d);
        }
        if (step % 97 == 0) {
          for (long each = 1; each <= DIRECTORIES; each++) {
            assertEquals(inTable(metadata, each), entries.names(each), "listing of " + each + " at step " + step);
            assertEquals(inTable(metadata, each).isEmpty(), entries.isEmpty(each));
          }
        }
      }
      assertTrue(metadata.dentries.read().size() > 40, "the directories outgrew the budget, so some were evicted and read again");
    }
  }

  @Test
  void emptyDirectoriesCountAgainstTheBudgetToo() throws Exception {
    try (Metadata metadata = Metadata.open(dir.resolve("zero.db"))) {
      DirectoryEntries entries = new DirectoryEntries(metadata.dentries, 40);
      for (long d = 1; d <= 1000; d++) {
        entries.made(d);
      }
      assertTrue(entries.heldDirectories() <= 40, "held: " + entries.heldDirectories());
      assertTrue(entries.isEmpty(1), "an evicted empty directory is still empty");
    }
  }

  private static Map<String, Long> inTable(Metadata metadata, long dir) {
    Map<String, Long> names = new TreeMap<>();
    metadata.dentries.read().prefixSubMap(new Object[] {dir}).forEach((key, ino) -> names.put((String) key[1], ino));
    return names;
  }
}
