package dev.zero.tiering;

import dev.zero.b2emulator.B2Emulator;
import dev.zero.b2emulator.EmulatorConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A B2 emulator on a test's directory and the settings that reach it. Its part sizes and the
 * threshold make {@link RemoteContractTest#LARGE} a large file of three parts.
 */
final class EmulatedB2 implements AutoCloseable {
  static final String KEY_ID = "tiering-key-id";
  static final String KEY = "tiering-key";
  static final String BUCKET_ID = "tiering-bucket";
  static final long PART_SIZE = 5_000_000;
  static final long LARGE_FILE_THRESHOLD = 10_000_000;
  static final int UPLOAD_THREADS = 4;

  final B2Emulator emulator;

  EmulatedB2(Path dataDir) throws IOException {
    emulator =
        B2Emulator.start(
            EmulatorConfig.of(dataDir, KEY_ID, KEY, BUCKET_ID).withPartSizes(PART_SIZE, PART_SIZE));
  }

  /** Three attempts without waits between them, so that a failing call fails fast. */
  B2Settings settings() {
    return settings(KEY, BUCKET_ID, 3, Duration.ZERO);
  }

  B2Settings settings(String key, String bucketId, int maxAttempts, Duration maxBackoff) {
    return new B2Settings(
        KEY_ID,
        key,
        bucketId,
        emulator.url(),
        LARGE_FILE_THRESHOLD,
        UPLOAD_THREADS,
        maxAttempts,
        maxBackoff);
  }

  @Override
  public void close() {
    emulator.close();
  }
}
