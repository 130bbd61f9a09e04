package dev.zero.tiering;

import dev.zero.store.DamagedDumpException;
import dev.zero.store.InodeStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Copies of the metadata store in the remote, so that losing the local disk loses at most the
 * changes since the last backup. Each backup is a metadata dump named by the time it was taken;
 * the newest {@link #KEEP} are kept, older ones deleted.
 */
public final class MetadataBackups {
  private static final System.Logger LOG = System.getLogger(MetadataBackups.class.getName());
  static final int KEEP = 10;
  private static final String SUFFIX = ".zdump";
  private static final DateTimeFormatter NAME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final InodeStore store;
  private final Remote remote;
  private final String prefix;
  private final Path scratch;

  MetadataBackups(InodeStore store, Remote remote, FilesystemLayout layout, Path scratch) {
    this.store = store;
    this.remote = remote;
    this.prefix = layout.backupsPrefix();
    this.scratch = scratch;
  }

  /** Whether the store changed since the last backup, or never took one itself (a restored store). */
  boolean due() {
    return store.changedSinceBackup() || !store.hasOwnBackup();
  }

  /**
   * Backs up the store if it changed since the last backup, or if it never took one itself (a
   * restored store); returns the new backup's key, or null.
   */
  String backUpIfChanged() throws IOException {
    if (!due()) {
      return null;
    }
    Path dump = scratch.resolve("metadata-backup.tmp");
    long taken = System.currentTimeMillis();
    long version;
    try (OutputStream out = Files.newOutputStream(dump)) {
      version = store.dump(out);
    }
    String key = prefix + NAME.format(Instant.ofEpochMilli(taken)) + SUFFIX;
    try {
      remote.upload(key, dump);
    } finally {
      Files.deleteIfExists(dump);
    }
    store.recordBackup(key, taken, version);
    prune();
    return key;
  }

  private void prune() throws RemoteException {
    List<Map.Entry<String, Long>> newestFirst = store.backups().entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).toList();
    for (Map.Entry<String, Long> old : newestFirst.subList(Math.min(KEEP, newestFirst.size()), newestFirst.size())) {
      remote.delete(old.getKey());
      store.forgetBackup(old.getKey());
    }
  }

  /** When the oldest kept backup was taken; objects unreferenced since before then are needed by none. */
  long oldestKeptMillis() {
    return store.backups().values().stream().min(Comparator.naturalOrder()).orElse(Long.MAX_VALUE);
  }

  /**
   * The remote objects this filesystem's backups in the remote refer to (downloads and verifies
   * each). The remote's listing, not this store's record of its backups, decides: a backup this
   * store does not know of (one taken before a restore, say) still protects what it refers to.
   */
  Set<String> keysNeeded() throws IOException {
    Set<String> keys = new HashSet<>();
    for (Backup backup : all(remote, prefix)) {
      Path copy = scratch.resolve("metadata-backup-read.tmp");
      try {
        download(remote, backup, copy);
        try (InputStream in = Files.newInputStream(copy)) {
          keys.addAll(InodeStore.remoteKeysIn(in));
        }
      } finally {
        Files.deleteIfExists(copy);
      }
    }
    return keys;
  }

  /** A backup in a remote: its key, when it was taken (from its name), and its size as listed. */
  public record Backup(String key, long takenMillis, long size) {}

  /**
   * Every backup under {@code prefix} in {@code remote}, newest first. An object there that is not
   * named like a backup (a stray upload, a file copied there by hand) is skipped with one line:
   * it is not Zero's, so it is neither read nor ever pruned.
   */
  public static List<Backup> all(Remote remote, String prefix) throws RemoteException {
    List<Backup> backups = new ArrayList<>();
    for (RemoteObject object : remote.list(prefix)) {
      Long taken = takenMillis(object.key().substring(prefix.length()));
      if (taken == null) {
        LOG.log(Level.WARNING, "skipping " + object.key() + " in the remote: it is not named like a metadata backup");
      } else {
        backups.add(new Backup(object.key(), taken, object.size()));
      }
    }
    backups.sort(Comparator.comparingLong(Backup::takenMillis).reversed());
    return backups;
  }

  /** When the backup named {@code name} (its key less the prefix) was taken, or null if that is no backup's name. */
  private static Long takenMillis(String name) {
    if (!name.endsWith(SUFFIX)) {
      return null;
    }
    try {
      return Instant.from(NAME.parse(name.substring(0, name.length() - SUFFIX.length()))).toEpochMilli();
    } catch (DateTimeException e) {
      return null;
    }
  }

  /**
   * Downloads {@code backup} into {@code target} and checks that it is the object that was
   * uploaded: its length as listed, and its SHA-1 where the remote recorded one. (Zero's own
   * checksum inside the dump is checked as it is loaded.)
   */
  public static void download(Remote remote, Backup backup, Path target) throws IOException {
    String recorded = remote.sha1(backup.key());
    long length = download(remote, backup.key(), target);
    if (length != backup.size()) {
      throw new DamagedDumpException(length + " bytes of it could be downloaded, but the remote lists " + backup.size());
    }
    if (recorded != null && !recorded.equalsIgnoreCase(sha1(target))) {
      throw new DamagedDumpException("its SHA-1 is not the one the remote recorded when it was uploaded");
    }
  }

  /** Downloads a whole object into {@code target}; returns its length. */
  private static long download(Remote remote, String key, Path target) throws IOException {
    try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      long offset = 0;
      for (long got; (got = remote.download(key, offset, 64L << 20, out, offset)) > 0; ) {
        offset += got;
      }
      return offset;
    }
  }

  private static String sha1(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-1", e);
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
