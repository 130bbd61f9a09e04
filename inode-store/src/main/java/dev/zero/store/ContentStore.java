package dev.zero.store;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The local content of inodes: one file per inode, named by its number, spread over 256
 * subdirectories so no directory grows huge. A missing file is empty content.
 */
public final class ContentStore {
  private static final System.Logger LOG = System.getLogger(ContentStore.class.getName());

  /** How often the free space of the cache disk is read again: statvfs is cheap, not free. */
  private static final long FREE_SPACE_TTL_NANOS = 50_000_000;
  private static final long MAX_RESERVE = 64L << 20;
  private static final long UNWATCHED_HEADROOM = 1L << 30;

  private final Path dir;
  /** {@link #dir}, open so that a stat of a content file walks two names, not the whole cache path. */
  private final int dirFd;
  private volatile boolean closed;
  private final FileStore disk;
  /**
   * Room content never takes from the cache disk, so that metadata commits always find some: a
   * commit that hits a full disk could leave the store unable to commit the very unlink that
   * would free space.
   */
  private final long reserve;
  private volatile long usableBytes;
  private volatile long maxFileSize;
  private volatile long usableReadAt;

  ContentStore(Path dir) throws IOException {
    this.dir = dir;
    for (int shard = 0; shard < 256; shard++) {
      Files.createDirectories(dir.resolve(shardName(shard)), OwnerOnly.DIRECTORY);
    }
    this.disk = Files.getFileStore(dir);
    this.reserve = Math.min(MAX_RESERVE, disk.getTotalSpace() / 10);
    this.dirFd = LibC.INSTANCE.open(dir.toString(), LibC.O_PATH | LibC.O_CLOEXEC, 0);
    if (dirFd < 0) {
      throw new IOException("cannot open the content directory " + dir + " (errno " + LibC.errno() + ")");
    }
  }

  /** Closes the directory descriptor; a stat after this fails rather than use a reused number. */
  void close() {
    if (!closed) {
      closed = true;
      LibC.INSTANCE.close(dirFd);
    }
  }

  /** fstatat(2) of the inode's content file; null if there is none or the store is closed. */
  private ByteBuffer statOrNull(long ino) {
    return closed ? null : FileStatus.of(dirFd, relativeName(ino));
  }

  /** Fails with ENOSPC unless {@code bytes} more content leaves the reserve free. */
  void ensureRoomFor(long bytes) throws FsException {
    if (!tryReserve(bytes)) {
      throw new FsException(Errno.ENOSPC, "the cache disk is full");
    }
  }

  /**
   * Whether a writer whose writes Zero does not see (the kernel's passthrough) may start: only
   * while the disk has {@link #UNWATCHED_HEADROOM} free beyond the reserve, since nothing stops
   * such a writer at the reserve.
   */
  boolean roomForUnwatchedWrites() throws FsException {
    readUsableSpace(UNWATCHED_HEADROOM);
    return usableBytes - UNWATCHED_HEADROOM >= reserve;
  }

  /** Counts {@code bytes} as about to be written and returns true, if they leave the reserve free. */
  boolean tryReserve(long bytes) throws FsException {
    readUsableSpace(bytes);
    if (usableBytes - bytes < reserve) {
      return false;
    }
    // Count what is about to be written until the next reading, or a fast writer could fill
    // the reserve between two readings.
    usableBytes -= bytes;
    return true;
  }

  /** Reads the free space again when the last reading is old, or says {@code bytes} would not fit. */
  private void readUsableSpace(long bytes) throws FsException {
    long now = System.nanoTime();
    if (now - usableReadAt > FREE_SPACE_TTL_NANOS || usableBytes - bytes < reserve) {
      try {
        usableBytes = disk.getUsableSpace();
        usableReadAt = now;
      } catch (IOException e) {
        throw ioError("checking free space for", 0, e);
      }
    }
  }

  Path path(long ino) {
    return dir.resolve(shardName((int) (ino & 0xff))).resolve(Long.toString(ino));
  }

  /** What stat(2) says of a content file: what a writer Zero does not see (the kernel) left there. */
  public record ContentFile(long size, long mtimeNanos) {}

  /** The size and mtime of an inode's content file. */
  public ContentFile stat(long ino) throws IOException {
    ByteBuffer stat = statOrNull(ino);
    if (stat == null) {
      throw new IOException(closed ? "the content store is closed" : path(ino) + " (errno " + LibC.errno() + ")");
    }
    return new ContentFile(FileStatus.size(stat), FileStatus.mtimeNanos(stat));
  }

  /** "ab/123", NUL-terminated: the content file's name relative to {@link #dirFd}. */
  private static byte[] relativeName(long ino) {
    return (shardName((int) (ino & 0xff)) + '/' + ino + '\0').getBytes(StandardCharsets.US_ASCII);
  }

  /** The inode a content file belongs to, or -1 if the file is not one of Zero's. */
  static long inoOf(Path contentFile) {
    try {
      return Long.parseLong(contentFile.getFileName().toString());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The length of an inode's content file, or -1 if there is none. */
  long localLength(long ino) throws IOException {
    Path file = path(ino);
    return Files.exists(file) ? Files.size(file) : -1;
  }

  /**
   * Whether a content file of {@code localLength} bytes (-1: none) holds a file of {@code size}
   * bytes: a file never written has no content file yet.
   */
  static boolean holds(long localLength, long size) {
    return localLength == size || (localLength == -1 && size == 0);
  }

  /** The 512-byte blocks the disk really holds for this content: holes in sparse files are free. */
  long allocatedBlocks(long ino) {
    ByteBuffer stat = statOrNull(ino);
    return stat == null ? 0 : FileStatus.blocks(stat);
  }

  /** Every file under the content directory. */
  List<Path> allFiles() throws IOException {
    List<Path> files = new ArrayList<>();
    for (int shard = 0; shard < 256; shard++) {
      try (java.nio.file.DirectoryStream<Path> entries = Files.newDirectoryStream(dir.resolve(shardName(shard)))) {
        entries.forEach(files::add);
      }
    }
    return files;
  }

  void truncate(long ino, long size) throws FsException {
    try {
      OwnerOnly.createFileIfMissing(path(ino));
      try (RandomAccessFile file = new RandomAccessFile(path(ino).toFile(), "rw")) {
        file.setLength(size);
      }
    } catch (IOException e) {
      throw ioError("truncate", ino, e);
    }
  }

  void delete(long ino) {
    try {
      Files.deleteIfExists(path(ino));
    } catch (IOException e) {
      // A stray content file wastes space but loses nothing; fsck finds it.
      LOG.log(Level.WARNING, "could not delete content of inode " + ino + ": " + e.getMessage());
    }
  }

  FileStore fileStore() {
    return disk;
  }

  /**
   * The largest power of two a content file may grow to on the cache disk (ext4: 8 TiB), found
   * once by growing a sparse file: a larger size is EFBIG before anything changes.
   */
  long maxFileSize() {
    if (maxFileSize == 0) {
      Path probe = dir.resolve("size-probe");
      try (RandomAccessFile file = new RandomAccessFile(probe.toFile(), "rw")) {
        long size = 1L << 62;
        while (size > 1L << 31) {
          try {
            file.setLength(size);
            break;
          } catch (IOException tooLarge) {
            size >>= 1;
          }
        }
        maxFileSize = size;
      } catch (IOException e) {
        return Long.MAX_VALUE; // cannot tell: the truncate itself will say
      } finally {
        try {
          Files.deleteIfExists(probe);
        } catch (IOException e) {
          LOG.log(Level.WARNING, "cannot remove " + probe + ": " + e.getMessage());
        }
      }
    }
    return maxFileSize;
  }

  static FsException ioError(String what, long ino, IOException e) {
    String message = e.getMessage() == null ? "" : e.getMessage();
    Errno errno = message.contains("No space left") ? Errno.ENOSPC : message.contains("File too large") ? Errno.EFBIG : Errno.EIO;
    return new FsException(errno, what + " of inode " + ino + " failed: " + message);
  }

  private static String shardName(int shard) {
    return Character.toString(Character.forDigit(shard >> 4, 16))
        + Character.forDigit(shard & 0xf, 16);
  }
}
