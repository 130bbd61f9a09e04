package dev.zero.tiering;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zero.b2emulator.CallStats;
import dev.zero.b2emulator.Fault;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A download is one call however large (B2 bills calls), tells its progress as bytes land, stops
 * when told to, and a body broken off is resumed from where it broke, not from its start.
 */
class B2RemoteStreamingTest {
  private static final int SIZE = 24 << 20;

  @TempDir Path work;
  private EmulatedB2 b2;
  private B2Remote remote;
  private CallStats stats;
  private byte[] content;
  private Path target;

  @BeforeEach
  void start() throws Exception {
    b2 = new EmulatedB2(Files.createDirectory(work.resolve("bucket")));
    remote = new B2Remote(b2.settings());
    stats = b2.emulator.stats();
    content = TestFiles.randomBytes(SIZE, 41);
    remote.upload("k", TestFiles.write(work, "content", content));
    target = Files.createFile(work.resolve("target"));
  }

  @AfterEach
  void stop() {
    remote.close();
    b2.close();
  }

  @Test
  void aWholeObjectComesInOneCallWithProgressAsItLands() throws Exception {
    List<Long> reports = new ArrayList<>();

    long written = download(0, Long.MAX_VALUE, done -> reports.add(done));

    assertEquals(SIZE, written);
    assertArrayEquals(content, Files.readAllBytes(target));
    assertEquals(1, stats.count("b2_download_file_by_name"));
    assertTrue(reports.size() > 10, "progress is told buffer by buffer, not once: " + reports.size() + " reports");
    assertEquals(SIZE, reports.get(reports.size() - 1));
  }

  @Test
  void aDownloadStopsWhereItsProgressSays() throws Exception {
    long written = download(0, Long.MAX_VALUE, done -> done < (1 << 20));

    assertTrue(written >= 1 << 20 && written < SIZE, "stopped after 1 MiB, wrote " + written);
    assertArrayEquals(TestFiles.slice(content, 0, written), TestFiles.slice(Files.readAllBytes(target), 0, written));
    assertEquals(1, stats.count("b2_download_file_by_name"));
  }

  @Test
  void aCutBodyIsResumedFromWhereItBrokeOff() throws Exception {
    b2.emulator.faults().add(Fault.cutDownload().times(1));
    List<Long> reports = new ArrayList<>();

    long written = download(0, Long.MAX_VALUE, done -> reports.add(done));

    assertEquals(SIZE, written);
    assertArrayEquals(content, Files.readAllBytes(target));
    assertEquals(2, stats.count("b2_download_file_by_name"), "the cut call and the one for the rest");
    for (int i = 1; i < reports.size(); i++) {
      assertTrue(reports.get(i) > reports.get(i - 1), "the resumed call goes on from the cut, never back: " + reports);
    }
  }

  private long download(long offset, long length, Remote.Progress progress) throws Exception {
    try (FileChannel channel = FileChannel.open(target, StandardOpenOption.WRITE)) {
      return remote.download("k", offset, length, channel, 0, progress);
    }
  }
}
