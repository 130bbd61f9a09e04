package dev.zero.tiering;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/** Reads and writes small text objects of a remote (a few lines each), through a scratch file. */
final class SmallObjects {
  private static final int MAX_BYTES = 64 << 10;

  private final Remote remote;
  private final Path scratch;

  SmallObjects(Remote remote, Path scratch) {
    this.remote = remote;
    this.scratch = scratch;
  }

  /** The text of object {@code key}, or empty if there is no such object. */
  Optional<String> read(String key) throws IOException {
    Path copy = Files.createTempFile(scratch, "object", ".tmp");
    try {
      try (FileChannel out = FileChannel.open(copy, StandardOpenOption.WRITE)) {
        remote.download(key, 0, MAX_BYTES, out, 0);
      } catch (RemoteException e) {
        if (e.kind() == RemoteException.Kind.NOT_FOUND) {
          return Optional.empty();
        }
        throw e;
      }
      return Optional.of(Files.readString(copy, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(copy);
    }
  }

  void write(String key, String text) throws IOException {
    Path file = Files.createTempFile(scratch, "object", ".tmp");
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8);
      remote.upload(key, file);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** The value of the line "{@code name} value" in {@code text}, or null. */
  static String field(String text, String name) {
    for (String line : text.split("\n")) {
      if (line.startsWith(name + " ")) {
        return line.substring(name.length() + 1).trim();
      }
    }
    return null;
  }
}
