package dev.zero.tiering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real full disk: a 1 MiB tmpfs. Mounting it needs root; elsewhere these tests are skipped. */
class DiskFullTest {
  private static final int TOO_BIG = 3_000_000;

  @TempDir Path work;
  private Path tiny;
  private boolean mounted;

  @BeforeEach
  void mountTinyDisk() throws Exception {
    tiny = Files.createDirectory(work.resolve("tiny"));
    mounted = run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", tiny.toString());
  }

  @AfterEach
  void unmount() throws Exception {
    if (mounted) {
      run("umount", tiny.toString());
    }
  }

  @Test
  void uploadToAFullDiskIsRefusedAsFullAndLeavesNothing() throws Exception {
    assumeTrue(mounted, "mounting a tmpfs needs root");
    Path remoteDir = tiny.resolve("remote");
    try (Remote remote = new LocalDirectoryRemote(remoteDir)) {
      RemoteException full =
          assertThrows(
              RemoteException.class,
              () -> remote.upload("big", TestFiles.write(work, "big", new byte[TOO_BIG])));

      assertFull(full);
      assertEquals(List.of(), remote.list(""));
      try (Stream<Path> staged = Files.list(remoteDir.resolve(LocalDirectoryRemote.STAGING))) {
        assertEquals(0, staged.count());
      }
    }
  }

  @Test
  void downloadIntoAFullDiskIsRefusedAsFull() throws Exception {
    assumeTrue(mounted, "mounting a tmpfs needs root");
    Path big = TestFiles.write(work, "big", TestFiles.randomBytes(TOO_BIG, 40));
    try (Remote local = new LocalDirectoryRemote(work.resolve("remote"));
        EmulatedB2 b2 = new EmulatedB2(Files.createDirectory(work.resolve("bucket")));
        Remote bucket = new B2Remote(b2.settings())) {
      for (Remote remote : List.of(local, bucket)) {
        remote.upload("big", big);
        Path target = tiny.resolve("target");
        try (FileChannel channel =
            FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
          assertFull(
              assertThrows(
                  RemoteException.class, () -> remote.download("big", 0, TOO_BIG, channel, 0)));
        }
        Files.delete(target);
      }
      assertEquals(
          1, b2.emulator.stats().count("b2_download_file_by_name"), "a full disk is not retried");
    }
  }

  private static void assertFull(RemoteException e) {
    assertEquals(RemoteException.Kind.REFUSED, e.kind());
    assertTrue(e.getMessage().contains("is full"), e.getMessage());
  }

  private static boolean run(String... command) throws InterruptedException {
    try {
      return new ProcessBuilder(command).redirectErrorStream(true).start().waitFor() == 0;
    } catch (IOException e) {
      return false; // no such command here
    }
  }
}
