package dev.zero.tiering;

import dev.zero.store.OwnerOnly;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Remote} that is a directory on a local or mounted disk: the default when there is no B2
 * account. Each object is a file named by its key under the directory, '/' in a key making
 * subdirectories. An upload is written to a staging file, flushed to disk and renamed into place,
 * so after a crash an object is either whole under its name or absent. A key cannot be both an
 * object and a directory ("a" and "a/b"), and the staging directory's name is not a usable first
 * segment. Objects are the users' content: files 0600 and directories 0700 ({@link OwnerOnly}).
 */
public final class LocalDirectoryRemote implements Remote {
  /**
   * Top-level directory of uploads in progress; inside the remote so that renames stay on one disk.
   */
  static final String STAGING = ".staging";

  private static final long PID = ProcessHandle.current().pid();

  /** Only the rare download that starts past the end of its target goes through this buffer. */
  private static final int BUFFER_SIZE = 1 << 20;
  /** A download reports its progress this often, so a recall's reader gets its bytes early. */
  private static final long PROGRESS_STEP = 1 << 20;

  private final Path dir;
  private final Path staging;
  private final AtomicLong staged = new AtomicLong();

  /**
   * Opens (creating it if missing) the directory {@code dir} as a remote, and removes what uploads
   * of processes that have since died left in its staging directory.
   */
  public LocalDirectoryRemote(Path dir) throws RemoteException {
    this.dir = dir.toAbsolutePath().normalize();
    this.staging = this.dir.resolve(STAGING);
    try {
      Files.createDirectories(staging, OwnerOnly.DIRECTORY);
      removeAbandonedStagingFiles();
    } catch (IOException e) {
      throw DiskFailures.refused("opening the remote directory " + this.dir, "that directory", e);
    }
  }

  @Override
  public RemoteObject upload(String key, Path file) throws RemoteException {
    Path target = pathOf(key);
    if (Files.isDirectory(target)) {
      throw new RemoteException(
          RemoteException.Kind.REFUSED,
          String.format(
              "Cannot store object '%s' in %s: objects '%s/...' exist, and a directory cannot"
                  + " also be a file",
              key, dir, key),
          null);
    }
    Path stagingFile = staging.resolve(PID + "-" + staged.incrementAndGet());
    FileChannel source;
    try {
      source = FileChannel.open(file, StandardOpenOption.READ);
    } catch (IOException e) {
      throw DiskFailures.refused(
          "reading " + file + " to upload it as '" + key + "'", "that file", e);
    }
    try (source) {
      long size;
      try (FileChannel out =
          FileChannel.open(stagingFile, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OwnerOnly.FILE)) {
        size = copy(source, out);
        out.force(true);
      }
      List<Path> changed = createDirectories(target.getParent());
      Files.move(stagingFile, target, StandardCopyOption.ATOMIC_MOVE);
      for (Path directory : changed) {
        fsyncDirectory(directory);
      }
      return new RemoteObject(key, size);
    } catch (IOException e) {
      throw DiskFailures.refused("storing object '" + key + "'", "the remote directory " + dir, e);
    } finally {
      deleteLeftover(stagingFile);
    }
  }

  @Override
  public long download(String key, long offset, long length, FileChannel target, long targetOffset, Progress progress)
      throws RemoteException {
    ObjectKeys.requireValidRange(offset, length, targetOffset);
    Path path = pathOf(key);
    if (length == 0) {
      return 0;
    }
    if (!Files.isRegularFile(path)) {
      throw notFound(key);
    }
    try (FileChannel source = FileChannel.open(path, StandardOpenOption.READ)) {
      long count = Math.max(0, Math.min(length, source.size() - offset));
      source.position(offset);
      long done = 0;
      while (done < count) {
        long at = targetOffset + done;
        // transferFrom copies nothing to a position past the target's end; a download that starts
        // there writes its first buffer itself, which extends the target.
        long step = Math.min(PROGRESS_STEP, count - done);
        long copied =
            at <= target.size()
                ? target.transferFrom(source, at, step)
                : copyOneBuffer(source, target, at, step);
        if (copied <= 0) {
          break; // the object shrank under us, though objects are never changed in place
        }
        done += copied;
        if (!progress.reached(done)) {
          break;
        }
      }
      return done;
    } catch (NoSuchFileException e) {
      throw notFound(key);
    } catch (IOException e) {
      throw DiskFailures.refused(
          "downloading object '" + key + "'", "the file being downloaded into", e);
    }
  }

  @Override
  public void delete(String key) throws RemoteException {
    Path path = pathOf(key);
    try {
      // No directory fsync: a delete lost in a crash leaves an unreferenced object, not a wrong
      // one.
      if (!Files.isDirectory(path)) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw DiskFailures.refused("deleting object '" + key + "'", "the remote directory " + dir, e);
    }
  }

  @Override
  public List<RemoteObject> list(String prefix) throws RemoteException {
    String wanted = prefix == null ? "" : prefix;
    Path start = directoryToWalk(wanted);
    List<RemoteObject> found = new ArrayList<>();
    if (start == null || !Files.isDirectory(start)) {
      return found;
    }
    try {
      Files.walkFileTree(
          start,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path directory, BasicFileAttributes attrs) {
              return directory.equals(staging)
                  ? FileVisitResult.SKIP_SUBTREE
                  : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              String key = dir.relativize(file).toString();
              if (attrs.isRegularFile() && key.startsWith(wanted)) {
                found.add(new RemoteObject(key, attrs.size()));
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
              if (e instanceof NoSuchFileException) {
                return FileVisitResult.CONTINUE; // deleted while we were listing
              }
              throw e;
            }
          });
    } catch (IOException e) {
      throw DiskFailures.refused(
          "listing objects under '" + wanted + "'", "the remote directory " + dir, e);
    }
    found.sort(Comparator.comparing(RemoteObject::key, ObjectKeys.ORDER));
    return found;
  }

  /** Nothing to release: every call opens and closes its own files. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return "local directory " + dir;
  }

  private Path pathOf(String key) {
    ObjectKeys.requireValid(key);
    if (key.equals(STAGING) || key.startsWith(STAGING + "/")) {
      throw new IllegalArgumentException("'" + STAGING + "' is reserved in a local remote: " + key);
    }
    return dir.resolve(key);
  }

  /** The deepest directory that holds every key starting with {@code prefix}; null if none can. */
  private Path directoryToWalk(String prefix) {
    int slash = prefix.lastIndexOf('/');
    if (slash < 0) {
      return dir;
    }
    String directory = prefix.substring(0, slash);
    return ObjectKeys.problemWith(directory) == null ? dir.resolve(directory) : null;
  }

  private RemoteException notFound(String key) {
    return new RemoteException(
        RemoteException.Kind.NOT_FOUND, "No object '" + key + "' in " + dir + ".", null);
  }

  /** Copies all of {@code source} to {@code out} (sendfile on Linux); returns the byte count. */
  private static long copy(FileChannel source, FileChannel out) throws IOException {
    long size = source.size();
    long done = 0;
    while (done < size) {
      long copied = source.transferTo(done, size - done, out);
      if (copied <= 0) {
        break; // the file shrank while it was copied; what was read is what was uploaded
      }
      done += copied;
    }
    return done;
  }

  private static long copyOneBuffer(FileChannel source, FileChannel target, long at, long max)
      throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(BUFFER_SIZE, max));
    if (source.read(buffer) <= 0) {
      return 0;
    }
    buffer.flip();
    long written = 0;
    while (buffer.hasRemaining()) {
      written += target.write(buffer, at + written);
    }
    return written;
  }

  /**
   * Creates the missing directories down to {@code parent} and returns every directory that gains
   * an entry by it or by the rename into {@code parent}: those must be fsynced for the new object
   * to survive a crash.
   */
  private static List<Path> createDirectories(Path parent) throws IOException {
    Deque<Path> missing = new ArrayDeque<>();
    Path existing = parent;
    while (!Files.isDirectory(existing)) {
      missing.push(existing);
      existing = existing.getParent();
    }
    List<Path> changed = new ArrayList<>();
    changed.add(existing);
    for (Path directory : missing) {
      try {
        Files.createDirectory(directory, OwnerOnly.DIRECTORY);
      } catch (FileAlreadyExistsException e) {
        if (!Files.isDirectory(directory)) {
          throw e; // a file holds the name: a key "a" and a key "a/b" cannot both exist here
        }
      }
      changed.add(directory);
    }
    return changed;
  }

  private static void fsyncDirectory(Path directory) throws IOException {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  /** After a successful upload the staging file is already gone; after a failure it is removed. */
  private static void deleteLeftover(Path stagingFile) {
    try {
      Files.deleteIfExists(stagingFile);
    } catch (IOException e) {
      // Left for the next start to remove (removeAbandonedStagingFiles); the upload's own outcome
      // is what the caller needs to hear about.
    }
  }

  /** Staging files are named {@code <pid>-<n>}; those of processes no longer running are dead. */
  private void removeAbandonedStagingFiles() throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(staging)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        int dash = name.indexOf('-');
        if (dash <= 0 || !isRunning(name.substring(0, dash))) {
          Files.deleteIfExists(file);
        }
      }
    }
  }

  private static boolean isRunning(String pid) {
    try {
      return ProcessHandle.of(Long.parseLong(pid)).isPresent();
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
