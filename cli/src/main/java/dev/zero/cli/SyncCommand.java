package dev.zero.cli;

import dev.zero.store.InodeStore;
import dev.zero.store.InodeStore.TieringCounts;
import dev.zero.tiering.Bytes;
import dev.zero.tiering.TierReport;
import dev.zero.tiering.TieringEngine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(
    name = "sync",
    mixinStandardHelpOptions = true,
    description = "Uploads every dirty file that nobody has open for writing, then backs the metadata up,"
      + " and reports the recovery point: after it, a restore from the remote alone loses nothing but"
      + " files still open for writing.")
final class SyncCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "<cache>", description = "The cache directory of a Zero filesystem.")
  Path cache;

  @Mixin ConfigOption config;

  @Override
  public Integer call() throws UserError, IOException {
    return CacheRequest.run(cache, config, ControlSocket.SYNC, open -> sync(open.store(), open.engine(), System.out::println));
  }

  /** Mounted or not, the same: syncs and prints what it did and the recovery point; returns the exit code. */
  static int sync(InodeStore store, TieringEngine engine, Consumer<String> out) {
    TierReport report = engine.sync();
    out.accept("sync: uploaded " + report.uploadedFiles() + " files (" + Bytes.gigabytes(report.uploadedBytes()) + ")");
    report.problems().forEach(problem -> out.accept("sync: error: " + problem));
    TieringCounts counts = store.tieringCounts();
    out.accept("sync: recovery point: " + StatusReport.recoveryPoint(store, counts));
    if (report.errors() == 0 && counts.dirtyFiles() == 0) {
      out.accept("sync: a restore from the remote alone now loses nothing");
    }
    return report.errors() == 0 ? 0 : 1;
  }
}
