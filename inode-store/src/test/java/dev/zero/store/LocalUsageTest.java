package dev.zero.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cached block counts: right after every kind of change, and never stale for a file being written. */
class LocalUsageTest {
  private static final int KIB_64_BLOCKS = 128;

  @TempDir Path dir;
  private ContentStore content;
  private LocalUsage usage;

  @BeforeEach
  void setUp() throws IOException {
    content = new ContentStore(dir);
    usage = new LocalUsage(content);
  }

  @AfterEach
  void closeContent() {
    content.close();
  }

  private void write(long ino, int bytes) throws IOException {
    Files.write(content.path(ino), new byte[bytes]);
  }

  @Test
  void aMeasuredFileIsNotMeasuredAgainUntilItChanges() throws IOException {
    write(7, 64 << 10);
    usage.changed(7);
    assertEquals(KIB_64_BLOCKS, usage.blocks(7));
    Files.delete(content.path(7)); // behind its back: the measurement stands, as it should
    assertEquals(KIB_64_BLOCKS, usage.blocks(7));
    usage.changed(7);
    assertEquals(0, usage.blocks(7));
  }

  @Test
  void aFileOpenForWritingIsMeasuredEveryTime() throws IOException {
    usage.startChanging(7);
    write(7, 64 << 10);
    assertEquals(KIB_64_BLOCKS, usage.blocks(7));
    write(7, 128 << 10); // the kernel writing it by passthrough tells nobody
    assertEquals(2 * KIB_64_BLOCKS, usage.blocks(7));
    assertEquals(2 * KIB_64_BLOCKS * 512L, usage.bytes());
    usage.stopChanging(7);
    write(7, 64 << 10);
    assertEquals(KIB_64_BLOCKS * 512L, usage.bytes(), "the last writer's changes are measured after it ends");
  }

  @Test
  void theTotalCountsEachFileOnceAndDropsEmptiedAndForgottenOnes() throws IOException {
    for (long ino = 1; ino <= 3; ino++) {
      write(ino, 64 << 10);
      usage.changed(ino);
    }
    assertEquals(3 * KIB_64_BLOCKS * 512L, usage.bytes());
    assertEquals(3 * KIB_64_BLOCKS * 512L, usage.bytes(), "a second reading counts nothing twice");
    Files.delete(content.path(1));
    usage.emptied(1);
    Files.delete(content.path(2));
    usage.forget(2);
    assertEquals(KIB_64_BLOCKS * 512L, usage.bytes());
    assertEquals(0, usage.blocks(1));
  }
}
