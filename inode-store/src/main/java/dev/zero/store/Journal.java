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
 * A kill can tear only the record being appended, so only the last record of the file may be
 * bad: a bad record with a whole one after it, or a checksum failure with more bytes after it,
 * is damage, and reading refuses rather than drop the records behind it. A flipped length byte
 * makes a record look torn, which is why a tear is accepted only if no whole record starts
 * anywhere after it. (A torn record whose payload happens to hold a whole record, say a crafted
 * xattr value, is then reported as damage: a refusal, never a loss.)
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
   * @param fileSize the file's size; larger than validEnd if the last record was torn
   */
  record Contents(long generation, long validEnd, long fileSize) {}

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

  /**
   * Reads the header and every whole record of {@code file} ({@code noun} names it in messages).
   * A torn last record ends the reading if {@code tornTailAllowed}; any other bad record (and a
   * torn one when not allowed: a checkpoint, or a journal closed cleanly) is {@link JournalDamage}.
   */
  static Contents read(Path file, String noun, boolean tornTailAllowed, RecordReader reader) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long fileSize = channel.size();
      long generation = readHeader(channel, file, noun);
      long position = HEADER_BYTES;
      ByteBuffer recordHeader = ByteBuffer.allocate(RECORD_HEADER_BYTES);
      while (position < fileSize) {
        if (position + RECORD_HEADER_BYTES > fileSize) {
          checkTear(channel, file, noun, position, -1, "the file ends inside a record header", tornTailAllowed);
          break;
        }
        recordHeader.clear();
        readFully(channel, recordHeader, position);
        recordHeader.flip();
        int length = recordHeader.getInt();
        int checksum = recordHeader.getInt();
        if (length <= 0 || length > fileSize - position - RECORD_HEADER_BYTES) {
          String fault = length <= 0 ? "a record claims a length of " + length : "the file ends inside a record";
          checkTear(channel, file, noun, position, -1, fault, tornTailAllowed);
          break;
        }
        ByteBuffer payload = ByteBuffer.allocate(length);
        readFully(channel, payload, position + RECORD_HEADER_BYTES);
        if (crc(payload.array()) != checksum) {
          checkTear(channel, file, noun, position, position + RECORD_HEADER_BYTES + length,
              "a record fails its checksum", tornTailAllowed);
          break;
        }
        reader.record(payload.array());
        position += RECORD_HEADER_BYTES + length;
      }
      return new Contents(generation, position, fileSize);
    }
  }

  /**
   * Throws unless the bad record at {@code position} can be the tear a kill leaves: the last
   * record of the file. {@code recordEnd} is where it ends if its length fits the file, else -1.
   */
  private static void checkTear(FileChannel channel, Path file, String noun, long position, long recordEnd,
      String fault, boolean tornTailAllowed) throws IOException {
    String where = noun + " " + file + " is damaged at byte " + position + ": " + fault;
    if (!tornTailAllowed) {
      throw new JournalDamage(file, position, where);
    }
    long fileSize = channel.size();
    if (recordEnd >= 0 && recordEnd < fileSize) {
      throw new JournalDamage(file, position, where + " and " + (fileSize - recordEnd) + " more bytes follow it");
    }
    long next = nextWholeRecord(channel, position + 1, fileSize);
    if (next >= 0) {
      throw new JournalDamage(file, position, where + ", yet a whole record follows at byte " + next);
    }
  }

  /** Where the first record with a plausible length and a matching checksum starts at or after {@code from}, or -1. */
  private static long nextWholeRecord(FileChannel channel, long from, long fileSize) throws IOException {
    if (fileSize - from < RECORD_HEADER_BYTES) {
      return -1;
    }
    ByteBuffer rest = channel.map(FileChannel.MapMode.READ_ONLY, from, fileSize - from);
    for (int at = 0; at + RECORD_HEADER_BYTES < rest.limit(); at++) {
      int length = rest.getInt(at);
      if (length > 0 && length <= rest.limit() - at - RECORD_HEADER_BYTES) {
        CRC32C crc = new CRC32C();
        crc.update(rest.duplicate().position(at + RECORD_HEADER_BYTES).limit(at + RECORD_HEADER_BYTES + length));
        if ((int) crc.getValue() == rest.getInt(at + 4)) {
          return from + at;
        }
      }
    }
    return -1;
  }

  /**
   * Writes a journal of {@code generation} at {@code target}, durably, holding the records of
   * {@code source} that end at or before {@code end}: what is intact of a damaged one.
   */
  static void copyRecords(Path source, long end, long generation, Path target) throws IOException {
    try (Journal copy = create(target, generation); FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
      in.position(HEADER_BYTES);
      long position = HEADER_BYTES;
      while (position < end) {
        long copied = copy.channel.transferFrom(in, position, end - position);
        if (copied <= 0) {
          throw new EOFException(source + " ends before byte " + end);
        }
        position += copied;
      }
      copy.channel.force(true);
    }
  }

  /** The generation named in the header of {@code file}, without reading its records. */
  static long generationOf(Path file, String noun) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      return readHeader(channel, file, noun);
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

  private static long readHeader(FileChannel channel, Path file, String noun) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
    try {
      readFully(channel, header, 0);
    } catch (EOFException e) {
      throw new JournalDamage(file, 0, noun + " " + file + " is damaged at byte 0: it is shorter than its header");
    }
    header.flip();
    byte[] magic = new byte[MAGIC.length];
    header.get(magic);
    if (!Arrays.equals(magic, MAGIC)) {
      throw new JournalDamage(file, 0, noun + " " + file + " is damaged at byte 0: its header is not a Zero journal's");
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
