package dev.zero.tiering;

import dev.zero.store.InodeStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Copies of the metadata store in the remote, so that losing the local disk loses at most the
 * changes since the last backup. Each backup is a metadata dump under the filesystem's backups
 * prefix, named by the time it was taken; the newest {@link #KEEP} are kept, older ones deleted.
 */
public final class MetadataBackups {
  static final int KEEP = 10;
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

  /**
   * Backs up the store if it changed since the last backup, or if it never took one itself (a
   * restored store); returns the new backup's key, or null.
   */
  String backUpIfChanged() throws IOException {
    if (!store.changedSinceBackup() && store.hasOwnBackup()) {
      return null;
    }
    Path dump = scratch.resolve("metadata-backup.tmp");
    long taken = System.currentTimeMillis();
    long version;
    try (OutputStream out = Files.newOutputStream(dump)) {
      version = store.dump(out);
    }
    String key = prefix + NAME.format(Instant.ofEpochMilli(taken)) + ".zdump";
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
   * The remote objects this filesystem's backups in the remote refer to (downloads each). The
   * remote's listing, not this store's record of its backups, decides: a backup this store does
   * not know of (one taken before a restore, say) still protects what it refers to.
   */
  Set<String> keysNeeded() throws IOException {
    Set<String> keys = new HashSet<>();
    for (String backup : all(remote, prefix).keySet()) {
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

  /** The newest backup under {@code prefix} in {@code remote}, or null if it holds none. */
  public static String newest(Remote remote, String prefix) throws RemoteException {
    return remote.list(prefix).stream().map(RemoteObject::key).max(Comparator.naturalOrder()).orElse(null);
  }

  /** Every backup under {@code prefix} in {@code remote}, with when it was taken (from its name). */
  public static Map<String, Long> all(Remote remote, String prefix) throws RemoteException {
    Map<String, Long> backups = new HashMap<>();
    for (RemoteObject object : remote.list(prefix)) {
      String stamp = object.key().substring(prefix.length()).replace(".zdump", "");
      backups.put(object.key(), Instant.from(NAME.parse(stamp)).toEpochMilli());
    }
    return backups;
  }

  /** Downloads a whole object into {@code target}. */
  public static void download(Remote remote, String key, Path target) throws IOException {
    try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      long offset = 0;
      for (long got; (got = remote.download(key, offset, 64L << 20, out, offset)) > 0; ) {
        offset += got;
      }
    }
  }
}
