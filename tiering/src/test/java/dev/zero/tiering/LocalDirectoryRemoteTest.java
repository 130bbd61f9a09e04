package dev.zero.tiering;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class LocalDirectoryRemoteTest extends RemoteContractTest {
  private Path dir;

  @Override
  Remote openRemote(Path scratch) throws Exception {
    dir = scratch.resolve("objects");
    return new LocalDirectoryRemote(dir);
  }

  @Test
  void objectsAreFilesNamedByTheirKeysAndNoStagingFileRemains() throws Exception {
    byte[] content = TestFiles.randomBytes(1000, 10);

    remote.upload("ab/cd/object", TestFiles.write(work, "object", content));

    assertEquals(List.of("object"), names(dir.resolve("ab/cd")));
    assertArrayEquals(content, Files.readAllBytes(dir.resolve("ab/cd/object")));
    assertEquals(List.of(), names(dir.resolve(LocalDirectoryRemote.STAGING)));
  }

  @Test
  void objectsAndTheirDirectoriesAreReadableByTheirOwnerAlone() throws Exception {
    remote.upload("inode/7/object", TestFiles.write(work, "object", new byte[] {1}));

    assertEquals("rw-------", mode(dir.resolve("inode/7/object")));
    for (Path directory : List.of(dir, dir.resolve(LocalDirectoryRemote.STAGING), dir.resolve("inode"), dir.resolve("inode/7"))) {
      assertEquals("rwx------", mode(directory), directory.toString());
    }
  }

  private static String mode(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  @Test
  void stagingFilesOfDeadProcessesAreRemovedAndNeverListed() throws Exception {
    remote.upload("kept", TestFiles.write(work, "kept", new byte[] {1}));
    Path staging = dir.resolve(LocalDirectoryRemote.STAGING);
    // Linux pids stay below 2^22, so this one never runs; ours does, and its upload may be going
    // on.
    Path abandoned = Files.write(staging.resolve("999999999-1"), new byte[10]);
    Path inProgress =
        Files.write(staging.resolve(ProcessHandle.current().pid() + "-1000000"), new byte[10]);

    assertEquals(List.of(new RemoteObject("kept", 1)), remote.list(""));
    try (Remote reopened = new LocalDirectoryRemote(dir)) {
      assertFalse(Files.exists(abandoned));
      assertTrue(Files.exists(inProgress));
      assertEquals(List.of(new RemoteObject("kept", 1)), reopened.list(""));
    }
  }

  @Test
  void failedUploadLeavesNothingBehind() throws Exception {
    remote.upload("taken/inside", TestFiles.write(work, "inside", new byte[] {1}));

    RemoteException sourceMissing =
        assertThrows(
            RemoteException.class, () -> remote.upload("fresh", work.resolve("no-such-file")));
    RemoteException nameIsADirectory =
        assertThrows(
            RemoteException.class,
            () -> remote.upload("taken", TestFiles.write(work, "f", new byte[] {2})));

    assertEquals(RemoteException.Kind.REFUSED, sourceMissing.kind());
    assertTrue(sourceMissing.getMessage().contains("no-such-file"), sourceMissing.getMessage());
    RemoteException parentIsAFile =
        assertThrows(
            RemoteException.class,
            () -> remote.upload("taken/inside/deeper", TestFiles.write(work, "g", new byte[] {3})));

    assertEquals(RemoteException.Kind.REFUSED, nameIsADirectory.kind());
    assertTrue(
        nameIsADirectory.getMessage().contains("'taken/...' exist"), nameIsADirectory.getMessage());
    assertEquals(RemoteException.Kind.REFUSED, parentIsAFile.kind());
    assertEquals(List.of(new RemoteObject("taken/inside", 1)), remote.list(""));
    assertEquals(List.of(), names(dir.resolve(LocalDirectoryRemote.STAGING)));
  }

  @Test
  void theStagingDirectoryIsNotAKey() throws Exception {
    Path file = TestFiles.write(work, "file", new byte[] {1});

    assertThrows(
        IllegalArgumentException.class,
        () -> remote.upload(LocalDirectoryRemote.STAGING + "/x", file));
    assertEquals(List.of(), remote.list(LocalDirectoryRemote.STAGING));
  }

  private static List<String> names(Path directory) throws Exception {
    try (Stream<Path> entries = Files.list(directory)) {
      return entries.map(path -> path.getFileName().toString()).sorted().toList();
    }
  }
}
