package dev.zero.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.DataInput2;
import org.mapdb.HTreeMap;
import org.mapdb.Serializer;
import org.mapdb.serializer.SerializerArrayTuple;

/**
 * The metadata tables, and how they survive a crash.
 *
 * <p>MapDB holds the tables, indexed, in one file without transactions: fast, but after a kill
 * its file may be damaged, and MapDB's own write-ahead log was seen to damage records too (see
 * the README's Durability section). So the MapDB file is only an index, trusted only after a
 * clean close. What makes changes durable is Zero's journal: each commit appends the changes
 * since the last one as one checksummed record and fsyncs it, so a commit is whole or absent.
 * Now and then every table is written to a checkpoint, and the journal starts again empty.
 * Opening after anything but a clean close rebuilds the MapDB file from the checkpoint and the
 * journal.
 *
 * <p>Files, beside the MapDB file: {@code .journal}, {@code .checkpoint}, and {@code .clean},
 * which a clean close writes and an open removes, naming the journal the MapDB file matches.
 */
final class Metadata implements AutoCloseable {
  /** A journal longer than this is folded into a new checkpoint at the next commit. */
  static final long CHECKPOINT_AFTER_BYTES = 64L << 20;
  /** Checkpoint records are cut at about this size. */
  private static final int CHECKPOINT_RECORD_BYTES = 1 << 20;

  private final Path file;
  private final DB db;
  private final ChangeBatch changes = new ChangeBatch();
  private final boolean rebuilt;
  private final long checkpointAfterBytes;
  private Journal journal;

  final JournaledMap<Long, Inode, HTreeMap<Long, Inode>> inodes;
  /** (parent ino, name) to child ino, ordered so that a directory's entries are one range. */
  final JournaledMap<Object[], Long, BTreeMap<Object[], Long>> dentries;
  final JournaledMap<Long, String, HTreeMap<Long, String>> symlinks;
  /** (ino, name) to value. */
  final JournaledMap<Object[], byte[], BTreeMap<Object[], byte[]>> xattrs;
  /** Inodes with no name left that were still open; the value is unused. */
  final JournaledMap<Long, Boolean, HTreeMap<Long, Boolean>> orphans;
  /** Remote objects nothing refers to any more, with when they stopped being referenced (ms). */
  final JournaledMap<String, Long, HTreeMap<String, Long>> remoteGarbage;
  /** Metadata backups in the remote, with when each was taken (ms). */
  final JournaledMap<String, Long, HTreeMap<String, Long>> backups;
  /** Named numbers: the inode counter, tree versions, whether a mount is running. */
  final JournaledMap<String, Long, HTreeMap<String, Long>> counters;
  private final List<JournaledMap<?, ?, ?>> tables;

  private Metadata(Path file, DB db, boolean rebuilt, long checkpointAfterBytes) {
    this.file = file;
    this.db = db;
    this.rebuilt = rebuilt;
    this.checkpointAfterBytes = checkpointAfterBytes;
    SerializerArrayTuple inoAndName = new SerializerArrayTuple(Serializer.LONG, Serializer.STRING);
    inodes = new JournaledMap<>((byte) 0,
        db.hashMap("inodes", Serializer.LONG, new InodeSerializer()).counterEnable().createOrOpen(),
        Serializer.LONG, new InodeSerializer(), changes);
    dentries = new JournaledMap<>((byte) 1,
        db.treeMap("dentries", inoAndName, Serializer.LONG).createOrOpen(), inoAndName, Serializer.LONG, changes);
    symlinks = new JournaledMap<>((byte) 2,
        db.hashMap("symlinks", Serializer.LONG, Serializer.STRING).createOrOpen(),
        Serializer.LONG, Serializer.STRING, changes);
    xattrs = new JournaledMap<>((byte) 3,
        db.treeMap("xattrs", inoAndName, Serializer.BYTE_ARRAY).createOrOpen(),
        inoAndName, Serializer.BYTE_ARRAY, changes);
    orphans = new JournaledMap<>((byte) 4,
        db.hashMap("orphans", Serializer.LONG, Serializer.BOOLEAN).createOrOpen(),
        Serializer.LONG, Serializer.BOOLEAN, changes);
    remoteGarbage = stringToLong((byte) 5, "remoteGarbage");
    backups = stringToLong((byte) 6, "backups");
    counters = stringToLong((byte) 7, "counters");
    tables = List.of(inodes, dentries, symlinks, xattrs, orphans, remoteGarbage, backups, counters);
  }

  private JournaledMap<String, Long, HTreeMap<String, Long>> stringToLong(byte table, String name) {
    return new JournaledMap<>(table, db.hashMap(name, Serializer.STRING, Serializer.LONG).createOrOpen(),
        Serializer.STRING, Serializer.LONG, changes);
  }

  /** Opens the metadata at {@code file}, creating it if new, rebuilding its index if needed. */
  static Metadata open(Path file) throws IOException {
    return open(file, CHECKPOINT_AFTER_BYTES);
  }

  static Metadata open(Path file, long checkpointAfterBytes) throws IOException {
    Path journalFile = sibling(file, ".journal");
    Path checkpointFile = sibling(file, ".checkpoint");
    Path cleanMarker = sibling(file, ".clean");
    if (!Files.exists(journalFile)) {
      if (Files.exists(file)) {
        throw new IOException(file + " was written by an older Zero, which kept no journal;"
            + " restore the metadata from a backup with zero-cli restore into a new cache");
      }
      newJournal(journalFile, 0).close();
    }
    String clean = Files.exists(cleanMarker) ? Files.readString(cleanMarker, StandardCharsets.US_ASCII) : null;
    // From here on the MapDB file changes: if this process dies, it must not look cleanly closed.
    if (Files.deleteIfExists(cleanMarker)) {
      Journal.syncDirectory(file.toAbsolutePath().getParent());
    }
    long journalGeneration = Journal.generationOf(journalFile);
    long journalSize = Files.size(journalFile);
    if (Files.exists(file) && (journalGeneration + " " + journalSize).equals(clean)) {
      Metadata metadata = new Metadata(file, openDb(file), false, checkpointAfterBytes);
      metadata.journal = Journal.openForAppend(journalFile,
          new Journal.Contents(journalGeneration, journalSize, journalSize));
      return metadata;
    }
    Files.deleteIfExists(file);
    Metadata metadata = new Metadata(file, openDb(file), true, checkpointAfterBytes);
    metadata.rebuild(journalFile, checkpointFile);
    return metadata;
  }

  /** Whether there is metadata at {@code file}: its journal, or a MapDB file of an older Zero. */
  static boolean exists(Path file) {
    return Files.exists(sibling(file, ".journal")) || Files.exists(file);
  }

  /**
   * Moves the closed metadata at {@code from}, every file of it, to {@code to}, where there is
   * none. The journal is what makes metadata exist ({@link #exists}), so it moves last: stopped
   * half way, nothing counts as metadata at {@code to} yet.
   */
  static void move(Path from, Path to) throws IOException {
    Path journal = sibling(from, ".journal");
    String name = from.getFileName().toString();
    List<Path> files;
    try (Stream<Path> beside = Files.list(from.toAbsolutePath().getParent())) {
      files = beside.filter(f -> f.getFileName().toString().startsWith(name) && !f.getFileName().equals(journal.getFileName())).toList();
    }
    Files.createDirectories(to.toAbsolutePath().getParent());
    for (Path file : files) {
      Files.move(file, sibling(to, file.getFileName().toString().substring(name.length())));
    }
    Files.move(journal, sibling(to, ".journal"));
    Journal.syncDirectory(to.toAbsolutePath().getParent());
  }

  /** True if the MapDB index was rebuilt at open: the last process did not close cleanly. */
  boolean rebuilt() {
    return rebuilt;
  }

  private void rebuild(Path journalFile, Path checkpointFile) throws IOException {
    long generation = 0;
    if (Files.exists(checkpointFile)) {
      Journal.Contents checkpoint = Journal.read(checkpointFile, this::replay);
      if (!checkpoint.whole()) {
        throw new IOException("the metadata checkpoint " + checkpointFile + " is damaged at byte "
            + checkpoint.validEnd() + "; restore the metadata from a backup with zero-cli restore");
      }
      generation = checkpoint.generation();
    }
    long journalGeneration = Journal.generationOf(journalFile);
    if (journalGeneration == generation) {
      journal = Journal.openForAppend(journalFile, Journal.read(journalFile, this::replay));
    } else if (journalGeneration < generation) {
      // Killed after the checkpoint was in place, before the journal it replaces was emptied.
      journal = newJournal(journalFile, generation);
    } else {
      throw new IOException("the metadata journal " + journalFile + " (generation " + journalGeneration
          + ") is newer than its checkpoint (generation " + generation + "); restore the metadata from a backup");
    }
  }

  /** Applies one journal record, straight to MapDB. */
  private void replay(byte[] record) throws IOException {
    DataInput2.ByteArray in = new DataInput2.ByteArray(record);
    while (in.pos < record.length) {
      byte table = in.readByte();
      byte change = in.readByte();
      byte[] key = new byte[in.unpackInt()];
      in.readFully(key);
      byte[] value = null;
      if (change == ChangeBatch.PUT) {
        value = new byte[in.unpackInt()];
        in.readFully(value);
      }
      tables.get(table).replay(change, key, value);
    }
  }

  long counter(String name) {
    Long value = counters.get(name);
    return value == null ? 0 : value;
  }

  void setCounter(String name, long value) {
    if (counter(name) != value) {
      counters.put(name, value);
    }
  }

  /**
   * Makes every change so far durable: one journal record, fsynced. If that fails, the changes
   * stay in the batch for the next commit; a record written twice replays to the same state,
   * because every change sets a whole value.
   */
  void commit() throws IOException {
    if (changes.isEmpty()) {
      return;
    }
    journal.append(changes.record());
    journal.force();
    changes.clear();
    if (journal.end() > checkpointAfterBytes) {
      checkpoint();
    }
  }

  /**
   * Writes every table into a new checkpoint, then empties the journal. Each step is durable
   * before the next, and the generation numbers tell which journal goes with which checkpoint.
   */
  private void checkpoint() throws IOException {
    long generation = journal.generation() + 1;
    Path checkpointFile = sibling(file, ".checkpoint");
    Path written = sibling(file, ".checkpoint.new");
    try (Journal checkpoint = Journal.create(written, generation)) {
      ChangeBatch batch = new ChangeBatch();
      Runnable flushWhenLarge = () -> {
        if (batch.bytes() >= CHECKPOINT_RECORD_BYTES) {
          append(checkpoint, batch.take());
        }
      };
      for (JournaledMap<?, ?, ?> table : tables) {
        table.putEverythingInto(batch, flushWhenLarge);
      }
      if (!batch.isEmpty()) {
        checkpoint.append(batch.take());
      }
      checkpoint.force();
    }
    Journal.replace(written, checkpointFile);
    journal.close();
    journal = newJournal(sibling(file, ".journal"), generation);
  }

  private static void append(Journal journal, byte[] record) {
    try {
      journal.append(record);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An empty journal in place of any at {@code journalFile}; a kill leaves the old or the new. */
  private static Journal newJournal(Path journalFile, long generation) throws IOException {
    Path written = sibling(journalFile, ".new");
    Journal fresh = Journal.create(written, generation);
    Journal.replace(written, journalFile);
    return fresh;
  }

  /** Commits, closes MapDB, and marks its file as matching the journal for the next open. */
  @Override
  public void close() throws IOException {
    commit();
    db.commit();
    db.close();
    String clean = journal.generation() + " " + journal.end();
    journal.close();
    Path written = sibling(file, ".clean.new");
    Files.writeString(written, clean, StandardCharsets.US_ASCII);
    try (FileChannel channel = FileChannel.open(written, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    Journal.replace(written, sibling(file, ".clean"));
  }

  /**
   * No transactions (the journal gives atomicity and durability); memory-mapped, and without
   * MapDB's own locking: every access holds the inode store's lock.
   */
  private static DB openDb(Path file) {
    return DBMaker.fileDB(file.toFile())
        .fileMmapEnableIfSupported()
        .fileMmapPreclearDisable()
        .cleanerHackEnable()
        .concurrencyDisable()
        .make();
  }

  private static Path sibling(Path file, String suffix) {
    return file.resolveSibling(file.getFileName() + suffix);
  }
}
