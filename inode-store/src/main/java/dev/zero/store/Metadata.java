package dev.zero.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
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
 *
 * <p>Every open reads the checkpoint and the journal whole before it changes anything: a
 * damaged record (anything but the tear a kill leaves at the end of the journal, and after a
 * clean close not even that) is {@link JournalDamage}, and the files stay as they were.
 */
final class Metadata implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Metadata.class.getName());
  /** A journal longer than this is folded into a new checkpoint at the next commit. */
  static final long CHECKPOINT_AFTER_BYTES = 64L << 20;
  /** Checkpoint records are cut at about this size. */
  private static final int CHECKPOINT_RECORD_BYTES = 1 << 20;
  private static final String JOURNAL = "the metadata journal";
  private static final String CHECKPOINT = "the metadata checkpoint";
  /**
   * Names, inside the MapDB file, the journal it was closed with: the marker beside it cannot
   * tell that the MapDB file itself was emptied or replaced since.
   */
  private static final String INDEX_STAMP = "closedWithJournal";
  private static final Journal.RecordReader CHECK_ONLY = record -> {};

  private final Path file;
  private final DB db;
  private final ChangeBatch changes = new ChangeBatch();
  /** Records {@link #seal} took and {@link #writeSealed} has not made durable yet, oldest first. */
  private final List<byte[]> sealed = new ArrayList<>();
  private final boolean rebuilt;
  private final long checkpointAfterBytes;
  /** Where a read-only open keeps its index, deleted at close; null for a store in use. */
  private final Path scratch;
  /** Null if opened read-only. */
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
  /** Named strings: which filesystem this is (its name and id in the remote). */
  final JournaledMap<String, String, HTreeMap<String, String>> properties;
  private final List<JournaledMap<?, ?, ?>> tables;

  private Metadata(Path file, DB db, boolean rebuilt, long checkpointAfterBytes, Path scratch) {
    this.file = file;
    this.db = db;
    this.rebuilt = rebuilt;
    this.checkpointAfterBytes = checkpointAfterBytes;
    this.scratch = scratch;
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
    properties = new JournaledMap<>((byte) 8,
        db.hashMap("properties", Serializer.STRING, Serializer.STRING).createOrOpen(),
        Serializer.STRING, Serializer.STRING, changes);
    tables = List.of(inodes, dentries, symlinks, xattrs, orphans, remoteGarbage, backups, counters, properties);
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
    Path cleanMarker = sibling(file, ".clean");
    if (!Files.exists(journalFile)) {
      if (Files.exists(file)) {
        throw new IOException(file + " was written by an older Zero, which kept no journal;"
            + " restore the metadata from a backup with zero-cli restore into a new cache");
      }
      newJournal(journalFile, 0).close();
    }
    String clean = cleanMarker(file);
    Verified verified = verify(file, clean);
    // From here on the MapDB file changes: if this process dies, it must not look cleanly closed.
    if (Files.deleteIfExists(cleanMarker)) {
      Journal.syncDirectory(file.toAbsolutePath().getParent());
    }
    if (clean != null && verified.journal() != null && Files.exists(file)) {
      DB db = openIndexClosedWith(file, clean);
      if (db != null) {
        Metadata metadata = new Metadata(file, db, false, checkpointAfterBytes, null);
        metadata.journal = Journal.openForAppend(journalFile, verified.journal());
        return metadata;
      }
    }
    Files.deleteIfExists(file);
    Metadata metadata = new Metadata(file, openDb(file), true, checkpointAfterBytes, null);
    metadata.replay(verified);
    metadata.journal = verified.journal() != null
        ? Journal.openForAppend(journalFile, verified.journal())
        // Killed after the checkpoint was in place, before the journal it replaces was emptied.
        : newJournal(journalFile, verified.generation());
    return metadata;
  }

  /**
   * Opens the metadata for reading only, for fsck: the checkpoint and the journal are checked and
   * replayed into an index in a scratch directory, so no file beside {@code file} changes (not
   * even a torn tail is cut), and {@link #commit()} of a change fails.
   */
  static Metadata openReadOnly(Path file) throws IOException {
    if (!Files.exists(sibling(file, ".journal"))) {
      throw new IOException("no metadata journal beside " + file);
    }
    Verified verified = verify(file, cleanMarker(file));
    Path scratch = Files.createTempDirectory("zero-fsck-");
    Metadata metadata = new Metadata(file, openDb(scratch.resolve("index.db")), true, Long.MAX_VALUE, scratch);
    try {
      metadata.replay(verified);
    } catch (IOException | RuntimeException e) {
      metadata.close();
      throw e;
    }
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

  /**
   * What {@link #verify} found whole: the checkpoint's generation, and the journal to replay on
   * it (null if it is an older one the checkpoint already holds).
   */
  private record Verified(long generation, Journal.Contents journal, boolean tornTailAllowed) {}

  /**
   * Reads the checkpoint and the journal through, changing nothing. {@code clean} is the clean
   * marker's content (null if none): after a clean close the journal must be exactly as long as
   * the marker says and end in a whole record.
   */
  private static Verified verify(Path file, String clean) throws IOException {
    Path journalFile = sibling(file, ".journal");
    Path checkpointFile = sibling(file, ".checkpoint");
    long generation = 0;
    if (Files.exists(checkpointFile)) {
      generation = Journal.read(checkpointFile, CHECKPOINT, false, CHECK_ONLY).generation();
    }
    long journalGeneration = Journal.generationOf(journalFile, JOURNAL);
    if (journalGeneration > generation) {
      throw new IOException("the metadata journal " + journalFile + " (generation " + journalGeneration
          + ") is newer than its checkpoint (generation " + generation + "); restore the metadata from a backup");
    }
    if (clean != null) {
      checkCleanMarker(journalFile, journalGeneration, clean);
    }
    if (journalGeneration < generation) {
      return new Verified(generation, null, clean == null);
    }
    return new Verified(generation, Journal.read(journalFile, JOURNAL, clean == null, CHECK_ONLY), clean == null);
  }

  /** The journal must be the one the last clean close left: of its generation, and exactly as long. */
  private static void checkCleanMarker(Path journalFile, long journalGeneration, String clean) throws IOException {
    long size = Files.size(journalFile);
    if (clean.equals(journalGeneration + " " + size)) {
      return;
    }
    String[] recorded = clean.split(" ");
    boolean sameGeneration = recorded.length == 2 && recorded[0].equals(Long.toString(journalGeneration))
        && recorded[1].matches("[0-9]{1,18}");
    String name = JOURNAL + " " + journalFile;
    if (sameGeneration && size < Long.parseLong(recorded[1])) {
      throw new JournalDamage(journalFile, size, name + " is damaged at byte " + size
          + ": it ends there, but the last clean unmount left it " + recorded[1] + " bytes long");
    }
    if (sameGeneration) {
      throw new JournalDamage(journalFile, Long.parseLong(recorded[1]), name + " is damaged at byte " + recorded[1]
          + ": the last clean unmount left it that long, but it is " + size + " bytes now");
    }
    throw new JournalDamage(journalFile, size, name + " is damaged: it is generation " + journalGeneration
        + " of " + size + " bytes, but the last clean unmount recorded \"" + clean + "\"");
  }

  /** Reads the checkpoint and the journal through, changing nothing; {@link JournalDamage} if either is damaged. */
  static void check(Path file) throws IOException {
    verify(file, cleanMarker(file));
  }

  /** Replays the checkpoint, then the journal, into the (empty) MapDB tables. */
  private void replay(Verified verified) throws IOException {
    Path checkpointFile = sibling(file, ".checkpoint");
    if (Files.exists(checkpointFile)) {
      Journal.read(checkpointFile, CHECKPOINT, false, this::replay);
    }
    if (verified.journal() != null) {
      Journal.read(sibling(file, ".journal"), JOURNAL, verified.tornTailAllowed(), this::replay);
    }
  }

  private static String cleanMarker(Path file) throws IOException {
    Path marker = sibling(file, ".clean");
    return Files.exists(marker) ? Files.readString(marker, StandardCharsets.US_ASCII) : null;
  }

  /** The MapDB file at {@code file} if it opens and was closed with the journal {@code clean} names, else null. */
  private static DB openIndexClosedWith(Path file, String clean) {
    DB db;
    try {
      db = openDb(file);
    } catch (RuntimeException e) {
      LOG.log(Level.INFO, "the metadata index " + file + " does not open (" + e.getMessage() + "); it is rebuilt from the journal");
      return null;
    }
    if (db.exists(INDEX_STAMP) && clean.equals(db.atomicString(INDEX_STAMP).open().get())) {
      return db;
    }
    db.close();
    LOG.log(Level.INFO, "the metadata index " + file + " is not the one closed with the journal; it is rebuilt from the journal");
    return null;
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
   * Makes every change so far durable: one journal record, fsynced, and a checkpoint when the
   * journal grew long. The caller keeps the tables still meanwhile.
   */
  void commit() throws IOException {
    seal();
    writeSealed();
    if (checkpointDue()) {
      checkpoint();
    }
  }

  /**
   * Takes the changes so far as the next journal record, to be written by {@link #writeSealed}.
   * Sealing needs the tables still, writing does not: a store seals under its lock and writes
   * after letting go of it, so operations go on during the fsync.
   */
  void seal() {
    if (!changes.isEmpty()) {
      sealed.add(changes.take());
    }
  }

  /**
   * Appends the sealed records, oldest first, and fsyncs them. If that fails they stay sealed
   * for the next try; a record written twice replays to the same state, because every change
   * sets a whole value.
   */
  void writeSealed() throws IOException {
    if (sealed.isEmpty()) {
      return;
    }
    if (journal == null) {
      throw new IllegalStateException("the metadata was opened read-only, for checking");
    }
    for (byte[] record : sealed) {
      journal.append(record);
    }
    journal.force();
    sealed.clear();
  }

  /** Whether the journal grew long enough to be folded into a checkpoint at the next commit. */
  boolean checkpointDue() {
    return journal != null && journal.end() > checkpointAfterBytes;
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
    if (journal == null) {
      db.close();
      try (var files = Files.list(scratch)) {
        for (Path scratchFile : files.toList()) {
          Files.delete(scratchFile);
        }
      }
      Files.delete(scratch);
      return;
    }
    commit();
    String clean = journal.generation() + " " + journal.end();
    db.atomicString(INDEX_STAMP).createOrOpen().set(clean);
    db.commit();
    db.close();
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

  static Path sibling(Path file, String suffix) {
    return file.resolveSibling(file.getFileName() + suffix);
  }
}
