package dev.zero.tiering;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The contract over the real SDK and HTTP, against the emulator. */
class B2RemoteTest extends RemoteContractTest {
  private EmulatedB2 b2;

  @Override
  Remote openRemote(Path scratch) throws Exception {
    b2 = new EmulatedB2(Files.createDirectory(scratch.resolve("bucket")));
    return new B2Remote(b2.settings());
  }

  @AfterEach
  void stopEmulator() {
    b2.close();
  }

  @Test
  void fileBelowTheThresholdGoesUpInOneCall() throws Exception {
    remote.upload("small", TestFiles.write(work, "small", TestFiles.randomBytes(SMALL, 20)));

    assertEquals(1, b2.emulator.stats().count("b2_upload_file"));
    assertEquals(0, b2.emulator.stats().count("b2_start_large_file"));
  }

  @Test
  void fileAboveTheThresholdGoesUpInParts() throws Exception {
    remote.upload("large", TestFiles.write(work, "large", TestFiles.randomBytes(LARGE, 21)));

    assertEquals(0, b2.emulator.stats().count("b2_upload_file"));
    assertEquals(3, b2.emulator.stats().count("b2_upload_part"));
    assertEquals(1, b2.emulator.stats().count("b2_finish_large_file"));
  }
}
