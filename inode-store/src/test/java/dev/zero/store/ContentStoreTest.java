package dev.zero.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the content layer reads of a cache file with its own fstatat: what stat(2) says. */
class ContentStoreTest {
  @TempDir Path dir;
  private ContentStore content;

  @BeforeEach
  void setUp() throws IOException {
    content = new ContentStore(dir);
  }

  @AfterEach
  void closeContent() {
    content.close();
  }

  @Test
  void statGivesTheSizeAndTheNanosecondMtimeOfTheCacheFile() throws IOException {
    long ino = 0x1234_5678_9aL; // shard 9a
    Files.write(content.path(ino), new byte[12345]);
    Instant mtime = Instant.ofEpochSecond(1_700_000_000L, 123_456_789);
    Files.setLastModifiedTime(content.path(ino), FileTime.from(mtime));

    ContentStore.ContentFile file = content.stat(ino);
    assertEquals(12345, file.size());
    assertEquals(Files.getLastModifiedTime(content.path(ino)).to(TimeUnit.NANOSECONDS), file.mtimeNanos());
    assertEquals(1_700_000_000_123_456_789L, file.mtimeNanos());
  }

  @Test
  void allocatedBlocksCountsWhatTheDiskHoldsNotTheSize() throws IOException {
    long ino = 42;
    try (RandomAccessFile file = new RandomAccessFile(content.path(ino).toFile(), "rw")) {
      file.setLength(10 << 20); // a hole
      file.seek(5 << 20);
      file.write(new byte[64 << 10]);
    }
    long blocks = content.allocatedBlocks(ino);
    assertTrue(blocks < (10 << 20) / 512, "sparse: fewer blocks than the size holds: " + blocks);
    assertTrue(blocks >= 128, "the 64 KiB written are held: " + blocks + " blocks");
    assertEquals(0, content.allocatedBlocks(43), "no cache file, no blocks");
  }

  @Test
  void statOfAMissingCacheFileFails() {
    assertThrows(IOException.class, () -> content.stat(7));
  }
}
