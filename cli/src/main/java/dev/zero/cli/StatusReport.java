package dev.zero.cli;

import dev.zero.store.InodeStore;
import dev.zero.store.InodeStore.TieringCounts;
import dev.zero.tiering.Bytes;
import dev.zero.tiering.TieringEngine;
import dev.zero.tiering.TieringPolicy;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** What {@code zero-cli status} prints, computed where the store is open. */
final class StatusReport {
  private StatusReport() {}

  static List<String> lines(InodeStore store, TieringEngine engine) {
    TieringCounts counts = store.tieringCounts();
    long used = store.localBytes();
    long target = engine.policy().targetBytes();
    List<String> lines = new ArrayList<>();
    lines.add(String.format("local content:   %s of %s target (%.0f%%)", Bytes.gigabytes(used), Bytes.gigabytes(target), 100.0 * used / target));
    lines.add(String.format("inodes:          %d", store.stats().inodes()));
    lines.add(String.format("dirty:           %d files, %s (uploads pending)", counts.dirtyFiles(), Bytes.gigabytes(counts.dirtyBytes())));
    lines.add(String.format("clean local:     %d files, %s", counts.cleanFiles(), Bytes.gigabytes(counts.cleanBytes())));
    lines.add(String.format("remote only:     %d files, %s", counts.remoteFiles(), Bytes.gigabytes(counts.remoteBytes())));
    lines.add(String.format("recalled:        %d files, %s since mount", counts.recalledFiles(), Bytes.gigabytes(counts.recalledBytes())));
    lines.addAll(prefetchLines(engine));
    lines.add("recovery point:  " + recoveryPoint(store, counts));
    List<String> errors = engine.errors().list();
    lines.add("last remote errors: " + (errors.isEmpty() ? "none" : ""));
    for (String error : errors) {
      lines.add("  " + error);
    }
    return lines;
  }

  /** Prefetch is billed downloads: what waits for it, and what the last pass brought (one download per file). */
  static List<String> prefetchLines(TieringEngine engine) {
    TieringEngine.PrefetchBacklog waiting = engine.prefetchBacklog();
    TieringEngine.Prefetched last = engine.lastPrefetch();
    return List.of(
        String.format("prefetch waiting: %d files, %s (used lately, remote only)", waiting.files(), Bytes.gigabytes(waiting.bytes())),
        String.format("prefetched:      %d files, %s in the last pass (at most %d files, %s a pass)", last.files(),
            Bytes.gigabytes(last.bytes()), TieringPolicy.PREFETCH_FILES_PER_PASS, Bytes.gigabytes(TieringPolicy.PREFETCH_BYTES_PER_PASS)));
  }

  /** What a restore from the remote alone would bring back: the newest backup, and what is not uploaded. */
  static String recoveryPoint(InodeStore store, TieringCounts counts) {
    long backup = store.newestBackupMillis();
    String tree = backup == 0 ? "no metadata backup yet"
        : "the tree as of " + Instant.ofEpochMilli(backup).truncatedTo(ChronoUnit.SECONDS) + (store.changedSinceBackup() ? " (changed since)" : " (unchanged since)");
    String content = counts.dirtyFiles() == 0 ? "every file's content uploaded"
        : counts.dirtyFiles() + " files (" + Bytes.gigabytes(counts.dirtyBytes()) + ") not uploaded yet";
    return tree + "; " + content;
  }
}
