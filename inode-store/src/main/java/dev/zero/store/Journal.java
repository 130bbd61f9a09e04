package dev.zero.store;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * An append-only file of checksummed records, each written whole or not at all: the redo log of
 * the metadata, and (written once, then renamed into place) its checkpoint.
 *
 * <p>A header (magic, format, generation) is followed by records of [length][CRC32C][payload].
 * A kill can tear only the record being appended; reading stops at the first record that is
 * incomplete or fails its checksum, and appending starts again there.
 */
final class Journal implements AutoCloseable {
  private static final byte[] MAGIC = "zero-journal".getBytes(StandardCharsets.US_ASCII);
  private static final int FORMAT = 1;
  private static final int HEADER_BYTES = MAGIC.length + 4 + 8;
  private static final int RECORD_HEADER_BYTES = 8;
  private static final int MAX_RECORD_BYTES = Integer.MAX_VALUE - 64;

  /** Receives each whole record of a journal, in order. */
  interface RecordReader {
    void record(byte[] payload) throws IOException;
  }

  /**
   * What reading a journal found.
   *
   * @param generation the generation its header names
   * @param validEnd where its last whole record ends
   * @param fileSize the file's size; larger than validEnd if a record was torn
   */
  record Contents(long generation, long validEnd, long fileSize) {
    boolean whole() {
      return validEnd == fileSize;
    }
  }

  private final FileChannel channel;
  private final long generation;
  private long end;

  private Journal(FileChannel channel, long generation, long end) {
    this.channel = channel;
    this.generation = generation;
    this.end = end;
  }

  /** Creates an empty journal of {@code generation} at {@code file}, durably, replacing any. */
  static Journal create(Path file, long generation) throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
    header.put(MAGIC).putInt(FORMAT).putLong(generation).flip();
    writeFully(channel, header, 0);
    channel.force(true);
    return new Journal(channel, generation, HEADER_BYTES);
  }

  /** Puts a journal written under a temporary name in place of {@code target}, atomically and durably. */
  static void replace(Path written, Path target) throws IOException {
    Files.move(written, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    syncDirectory(target.toAbsolutePath().getParent());
  }

  /** Opens a journal to append after its last whole record, cutting off a torn one. */
  static Journal openForAppend(Path file, Contents contents) throws IOException {
    long validEnd = contents.validEnd();
    FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE);
    if (channel.size() > validEnd) {
      channel.truncate(validEnd);
      channel.force(true);
    }
    return new Journal(channel, contents.generation(), validEnd);
  }

  /** Reads the header and every whole record of {@code file}. */
  static Contents read(Path file, RecordReader reader) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long fileSize = channel.size();
      long generation = readHeader(channel, file);
      long position = HEADER_BYTES;
      ByteBuffer recordHeader = ByteBuffer.allocate(RECORD_HEADER_BYTES);
      while (position + RECORD_HEADER_BYTES <= fileSize) {
        recordHeader.clear();
        readFully(channel, recordHeader, position);
        recordHeader.flip();
        int length = recordHeader.getInt();
        int checksum = recordHeader.getInt();
        if (length < 0 || length > fileSize - position - RECORD_HEADER_BYTES) {
          break;
        }
        ByteBuffer payload = ByteBuffer.allocate(length);
        readFully(channel, payload, position + RECORD_HEADER_BYTES);
        if (crc(payload.array()) != checksum) {
          break;
        }
        reader.record(payload.array());
        position += RECORD_HEADER_BYTES + length;
      }
      return new Contents(generation, position, fileSize);
    }
  }

  /** The generation named in the header of {@code file}, without reading its records. */
  static long generationOf(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      return readHeader(channel, file);
    }
  }

  long generation() {
    return generation;
  }

  /** Where the next record will start: the size of the journal's whole records. */
  long end() {
    return end;
  }

  /** Appends one record; durable only after {@link #force()}. */
  void append(byte[] payload) throws IOException {
    if (payload.length > MAX_RECORD_BYTES) {
      throw new IOException("a journal record of " + payload.length + " bytes is too large");
    }
    ByteBuffer record = ByteBuffer.allocate(RECORD_HEADER_BYTES + payload.length);
    record.putInt(payload.length).putInt(crc(payload)).put(payload).flip();
    try {
      writeFully(channel, record, end);
    } catch (IOException e) {
      channel.truncate(end); // no torn record may stay behind the next one
      throw e;
    }
    end += record.capacity();
  }

  /** Makes every record appended so far durable. */
  void force() throws IOException {
    channel.force(false);
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  /** fsync of a directory, so that a file created, renamed or deleted in it stays so. */
  static void syncDirectory(Path directory) throws IOException {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  private static long readHeader(FileChannel channel, Path file) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
    try {
      readFully(channel, header, 0);
    } catch (EOFException e) {
      throw new IOException(file + " is not a Zero journal: it is shorter than a header");
    }
    header.flip();
    byte[] magic = new byte[MAGIC.length];
    header.get(magic);
    if (!Arrays.equals(magic, MAGIC)) {
      throw new IOException(file + " is not a Zero journal");
    }
    int format = header.getInt();
    if (format != FORMAT) {
      throw new IOException(file + " has journal format " + format + ", this Zero reads " + FORMAT);
    }
    return header.getLong();
  }

  private static int crc(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return (int) crc.getValue();
  }

  private static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
    while (buffer.hasRemaining()) {
      position += channel.write(buffer, position);
    }
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
    while (buffer.hasRemaining()) {
      int read = channel.read(buffer, position);
      if (read < 0) {
        throw new EOFException();
      }
      position += read;
    }
  }
}
