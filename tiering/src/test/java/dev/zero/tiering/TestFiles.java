package dev.zero.tiering;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;

/** Files of known random content, and reading back what a download wrote. */
final class TestFiles {
  private TestFiles() {}

  static byte[] randomBytes(int length, long seed) {
    byte[] bytes = new byte[length];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  static Path write(Path dir, String name, byte[] content) throws IOException {
    return Files.write(dir.resolve(name), content);
  }

  /** Downloads into a new file at offset 0; returns exactly the bytes the call says it wrote. */
  static byte[] download(Remote remote, Path dir, String key, long offset, long length)
      throws IOException {
    Path target = Files.createTempFile(dir, "download", ".bin");
    try (FileChannel channel = FileChannel.open(target, StandardOpenOption.WRITE)) {
      long written = remote.download(key, offset, length, channel, 0);
      if (channel.size() != written) {
        throw new AssertionError("download said " + written + " bytes but wrote " + channel.size());
      }
    }
    return Files.readAllBytes(target);
  }

  static byte[] slice(byte[] bytes, long from, long length) {
    return Arrays.copyOfRange(bytes, (int) from, (int) Math.min(bytes.length, from + length));
  }

  static byte[] readAll(FileChannel channel) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate((int) channel.size());
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, buffer.position()) < 0) {
        break;
      }
    }
    return buffer.array();
  }
}
