package dev.zero.cli;

import dev.zero.store.InodeStore;
import dev.zero.store.InodeStore.TieringCounts;
import dev.zero.tiering.Bytes;
import dev.zero.tiering.TieringEngine;
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
    lines.add("recovery point:  " + recoveryPoint(store, counts));
    List<String> errors = engine.errors().list();
    lines.add("last remote errors: " + (errors.isEmpty() ? "none" : ""));
    for (String error : errors) {
      lines.add("  " + error);
    }
    return lines;
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
