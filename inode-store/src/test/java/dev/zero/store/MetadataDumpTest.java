package dev.zero.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dump that is not byte for byte what was written never loads, however it was damaged. */
class MetadataDumpTest {
  private static final long ROOT = InodeStore.ROOT;
  /** writeUTF of the magic (2 + 18 bytes), then the version. */
  private static final int VERSION_OFFSET = 20;

  @TempDir Path dir;

  @Test
  void aDumpChangedInsideAndRecompressedIsCaughtByItsSha256() throws Exception {
    byte[] records = gunzip(dumpOfATree());
    records[records.length / 2] ^= 0x01;

    DamagedDumpException damaged = assertThrows(DamagedDumpException.class, () -> load(gzip(records)));
    assertTrue(damaged.getMessage().contains("SHA-256") || damaged.getMessage().contains("garbled"), damaged.getMessage());
  }

  @Test
  void aCutDumpEndsEarly() throws Exception {
    byte[] dump = dumpOfATree();
    DamagedDumpException cut = assertThrows(DamagedDumpException.class, () -> load(Arrays.copyOf(dump, dump.length / 2)));
    assertEquals("it ends early", cut.getMessage());
    byte[] records = gunzip(dump);
    assertThrows(DamagedDumpException.class, () -> load(gzip(Arrays.copyOf(records, records.length - 10))),
        "records cut inside the SHA-256, recompressed");
  }

  @Test
  void garbageIsNotADump() {
    byte[] garbage = new byte[5000];
    new Random(3).nextBytes(garbage);
    assertThrows(DamagedDumpException.class, () -> load(garbage));
    assertThrows(DamagedDumpException.class, () -> load(gzip(garbage)));
  }

  @Test
  void aVersion1DumpWithoutSha256StillLoads() throws Exception {
    byte[] records = gunzip(dumpOfATree());
    byte[] version1 = Arrays.copyOf(records, records.length - 32);
    ByteBuffer.wrap(version1).putInt(VERSION_OFFSET, 1);

    try (InodeStore restored = open("restored")) {
      InodeStore.RestoreReport report = restored.load(new ByteArrayInputStream(gzip(version1)));
      assertEquals(3, report.inodes(), "the root, a directory and a file");
      long d = restored.lookup(ROOT, "d");
      assertTrue(restored.getattr(restored.lookup(d, "f")).isRegular(), "d/f");
      assertEquals(3, restored.getxattr(d, "user.note").length, "the xattr of d");
    }
  }

  private byte[] dumpOfATree() throws Exception {
    ByteArrayOutputStream dump = new ByteArrayOutputStream();
    try (InodeStore store = open("source")) {
      long d = store.mkdir(ROOT, "d", 0755, 0, 0).ino();
      store.mknod(d, "f", FileMode.S_IFREG | 0644, 0, 0, 0);
      store.setxattr(d, "user.note", new byte[] {1, 2, 3}, 0);
      store.dump(dump);
    }
    return dump.toByteArray();
  }

  private void load(byte[] dump) throws IOException {
    MetadataDump.read(new ByteArrayInputStream(dump), inode -> {});
  }

  private InodeStore open(String name) throws IOException {
    Files.createDirectories(dir.resolve(name));
    return InodeStore.open(dir.resolve(name + "/meta.db"), dir.resolve(name + "/content"), Duration.ofHours(1), 0, 0);
  }

  private static byte[] gunzip(byte[] gzipped) throws IOException {
    return new GZIPInputStream(new ByteArrayInputStream(gzipped)).readAllBytes();
  }

  private static byte[] gzip(byte[] plain) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(plain);
    }
    return out.toByteArray();
  }
}
