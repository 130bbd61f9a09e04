package dev.zero.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The cache directory: local content under {@code content/}, the metadata store (by default
 * under {@code meta/}), and a {@code lock} file that one process at a time holds, because
 * MapDB opens its file in one process only.
 */
final class CacheDirectory implements AutoCloseable {
  static final String CONTENT = "content";

  private final Path root;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private CacheDirectory(Path root, FileChannel lockChannel, FileLock lock) {
    this.root = root;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /** Creates the directory if new and takes its lock, or says why not in one sentence. */
  static CacheDirectory lock(Path root) throws UserError {
    CacheDirectory cache = tryLock(root);
    if (cache == null) {
      throw new UserError(UserError.SETUP, "cache directory " + root + " is in use by another Zero process" + holder(root) + "; unmount it first.");
    }
    return cache;
  }

  /** Like {@link #lock}, but null when another process (a mount) holds the cache. */
  static CacheDirectory tryLock(Path root) throws UserError {
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new UserError(UserError.SETUP, "cannot create cache directory " + root + " (" + e.getMessage() + "); pick a directory you can write.");
    }
    if (!Files.isDirectory(root) || !Files.isWritable(root)) {
      throw new UserError(UserError.SETUP, "cache directory " + root + " is not a writable directory; pick one you can write or fix its permissions.");
    }
    Path lockFile = root.resolve("lock");
    FileChannel channel = null;
    try {
      channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        channel.close();
        return null;
      }
      channel.truncate(0);
      channel.write(StandardCharsets.UTF_8.encode(ProcessHandle.current().pid() + "\n"), 0);
      return new CacheDirectory(root, channel, lock);
    } catch (OverlappingFileLockException e) {
      throw new UserError(UserError.SETUP, "cache directory " + root + " is already in use by this process.");
    } catch (IOException e) {
      throw new UserError(UserError.SETUP, "cannot lock cache directory " + root + " (" + e.getMessage() + "); check that it is writable.");
    }
  }

  private static String holder(Path root) {
    try {
      String pid = Files.readString(root.resolve("lock"), StandardCharsets.UTF_8).trim();
      return pid.isEmpty() ? "" : " (pid " + pid + ")";
    } catch (IOException e) {
      return "";
    }
  }

  Path root() {
    return root;
  }

  Path contentDir() {
    return root.resolve(CONTENT);
  }

  @Override
  public void close() throws IOException {
    lock.release();
    lockChannel.close();
  }
}
