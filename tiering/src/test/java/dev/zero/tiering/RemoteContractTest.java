package dev.zero.tiering;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every {@link Remote} must do, run against each implementation by a subclass. */
abstract class RemoteContractTest {
  static final int SMALL = 100_000;

  /** Above the B2 tests' large-file threshold: three parts of the emulator's 5 MB minimum. */
  static final int LARGE = 16_000_000;

  /** One more than a full page of b2_list_file_names as B2Remote asks for it. */
  static final int MORE_THAN_A_PAGE = 1001;

  @TempDir Path work;
  Remote remote;

  /** A fresh, empty remote; called before each test. */
  abstract Remote openRemote(Path scratch) throws Exception;

  @BeforeEach
  void open() throws Exception {
    remote = openRemote(Files.createDirectory(work.resolve("remote-side")));
  }

  @AfterEach
  void close() {
    remote.close();
  }

  @Test
  void smallUploadComesBackByteForByte() throws Exception {
    byte[] content = TestFiles.randomBytes(SMALL, 1);

    RemoteObject stored = remote.upload("a/small", TestFiles.write(work, "small", content));

    assertEquals(new RemoteObject("a/small", SMALL), stored);
    assertArrayEquals(content, TestFiles.download(remote, work, "a/small", 0, SMALL));
  }

  @Test
  void largeUploadReadsBackExactlyAtStartMiddleAndEnd() throws Exception {
    byte[] content = TestFiles.randomBytes(LARGE, 2);

    RemoteObject stored = remote.upload("a/large", TestFiles.write(work, "large", content));

    assertEquals(new RemoteObject("a/large", LARGE), stored);
    assertArrayEquals(
        TestFiles.slice(content, 0, 4096), TestFiles.download(remote, work, "a/large", 0, 4096));
    long middle = LARGE / 3 - 1000; // across the boundary of B2's first two parts
    assertArrayEquals(
        TestFiles.slice(content, middle, 1_000_000),
        TestFiles.download(remote, work, "a/large", middle, 1_000_000));
    assertArrayEquals(
        TestFiles.slice(content, LARGE - 777, 777),
        TestFiles.download(remote, work, "a/large", LARGE - 777, 777));
    assertArrayEquals(content, TestFiles.download(remote, work, "a/large", 0, LARGE));
  }

  @Test
  void downloadPastTheEndReturnsWhatThereIs() throws Exception {
    byte[] content = TestFiles.randomBytes(SMALL, 3);
    remote.upload("short", TestFiles.write(work, "short", content));

    assertArrayEquals(
        TestFiles.slice(content, SMALL - 10, 10),
        TestFiles.download(remote, work, "short", SMALL - 10, 100));
    assertArrayEquals(new byte[0], TestFiles.download(remote, work, "short", SMALL, 100));
    assertArrayEquals(new byte[0], TestFiles.download(remote, work, "short", SMALL + 5000, 100));
    assertArrayEquals(content, TestFiles.download(remote, work, "short", 0, Long.MAX_VALUE));
  }

  @Test
  void downloadWritesAtTheTargetOffsetEvenPastTheTargetsEnd() throws Exception {
    byte[] content = TestFiles.randomBytes(SMALL, 4);
    remote.upload("placed", TestFiles.write(work, "placed", content));
    Path target = Files.createFile(work.resolve("sparse-target"));

    try (FileChannel channel =
        FileChannel.open(target, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      assertEquals(1000, remote.download("placed", 2000, 1000, channel, 3_000_000));
      assertEquals(SMALL - 1000, remote.download("placed", 1000, SMALL, channel, 1_000));

      byte[] written = TestFiles.readAll(channel);
      assertEquals(3_001_000, written.length);
      assertArrayEquals(new byte[1000], TestFiles.slice(written, 0, 1000));
      assertArrayEquals(
          TestFiles.slice(content, 1000, SMALL), TestFiles.slice(written, 1000, SMALL - 1000));
      assertArrayEquals(
          TestFiles.slice(content, 2000, 1000), TestFiles.slice(written, 3_000_000, 1000));
    }
  }

  @Test
  void emptyObjectHasNoBytes() throws Exception {
    assertEquals(
        new RemoteObject("empty", 0),
        remote.upload("empty", TestFiles.write(work, "empty", new byte[0])));

    assertArrayEquals(new byte[0], TestFiles.download(remote, work, "empty", 0, 10));
    assertEquals(List.of(new RemoteObject("empty", 0)), remote.list(""));
  }

  @Test
  void deletedObjectIsNotFound() throws Exception {
    remote.upload("doomed", TestFiles.write(work, "doomed", TestFiles.randomBytes(SMALL, 5)));

    remote.delete("doomed");

    RemoteException missing =
        assertThrows(
            RemoteException.class, () -> TestFiles.download(remote, work, "doomed", 0, 10));
    assertEquals(RemoteException.Kind.NOT_FOUND, missing.kind());
    assertEquals(List.of(), remote.list(""));
  }

  @Test
  void missingKeyIsNotFoundAndDeletingItIsFine() throws Exception {
    RemoteException missing =
        assertThrows(
            RemoteException.class, () -> TestFiles.download(remote, work, "never/uploaded", 0, 10));
    assertEquals(RemoteException.Kind.NOT_FOUND, missing.kind());

    remote.delete("never/uploaded");
  }

  @Test
  void uploadingAKeyAgainReplacesItAndOneDeleteRemovesBoth() throws Exception {
    byte[] first = TestFiles.randomBytes(SMALL, 6);
    byte[] second = TestFiles.randomBytes(SMALL / 2, 7);
    remote.upload("twice", TestFiles.write(work, "first", first));
    remote.upload("twice", TestFiles.write(work, "second", second));

    assertArrayEquals(second, TestFiles.download(remote, work, "twice", 0, SMALL));
    assertEquals(List.of(new RemoteObject("twice", SMALL / 2)), remote.list(""));

    remote.delete("twice");

    assertEquals(List.of(), remote.list(""));
    assertEquals(
        RemoteException.Kind.NOT_FOUND,
        assertThrows(RemoteException.class, () -> TestFiles.download(remote, work, "twice", 0, 10))
            .kind());
  }

  @Test
  void listFindsEveryKeyWithThePrefixInOrderOverSeveralPages() throws Exception {
    Path one = TestFiles.write(work, "one", new byte[] {1});
    Path three = TestFiles.write(work, "three", new byte[] {1, 2, 3});
    Map<String, Path> files = new LinkedHashMap<>();
    List<RemoteObject> expected = new ArrayList<>();
    for (int i = 0; i < MORE_THAN_A_PAGE; i++) {
      String key = String.format("many/%05d", i);
      files.put(key, i % 2 == 0 ? one : three);
      expected.add(new RemoteObject(key, i % 2 == 0 ? 1 : 3));
    }
    uploadInParallel(files);
    for (String outside : List.of("man", "many-more", "manz/1", "other/many/1")) {
      remote.upload(outside, one);
    }

    assertEquals(expected, remote.list("many/"));
    assertEquals(List.of(new RemoteObject("many/00010", 1)), remote.list("many/00010"));
    assertEquals(List.of(new RemoteObject("other/many/1", 1)), remote.list("other/"));
    assertEquals(List.of(), remote.list("nothing/"));
    assertEquals(MORE_THAN_A_PAGE + 4, remote.list("").size());
  }

  @Test
  void keysThatCannotBeStoredEverywhereAreRejected() throws Exception {
    Path file = TestFiles.write(work, "file", new byte[] {1});
    for (String bad : List.of("", "/a", "a/", "a//b", "a/../b", "./a", "a\nb")) {
      assertThrows(IllegalArgumentException.class, () -> remote.upload(bad, file), bad);
    }
  }

  private void uploadInParallel(Map<String, Path> files) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<RemoteObject>> uploads = new ArrayList<>();
      files.forEach((key, file) -> uploads.add(pool.submit(() -> remote.upload(key, file))));
      for (Future<RemoteObject> upload : uploads) {
        upload.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
