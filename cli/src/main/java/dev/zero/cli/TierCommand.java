package dev.zero.cli;

import dev.zero.tiering.TierReport;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "tier",
    mixinStandardHelpOptions = true,
    description = {
      "Moves content between local disk and the remote to meet the target disk usage: uploads quiet"
          + " dirty files, evicts least recently used clean files while over the target, recalls"
          + " recently used remote files while there is room.",
      "While <cache> is mounted, the mount process does the work; otherwise this command opens the"
          + " store itself. Keeps running, a pass every few seconds, until interrupted, unless --once."
    })
final class TierCommand implements Callable<Integer> {
  static final Duration INTERVAL = Duration.ofSeconds(5);

  @Parameters(index = "0", paramLabel = "<cache>", description = "The cache directory of a Zero filesystem.")
  Path cache;

  @Mixin ConfigOption config;

  @Option(names = "--once", description = "Run one pass and exit.")
  boolean once;

  @Override
  public Integer call() throws UserError, IOException, InterruptedException {
    Config settings = config.load();
    Path root = ExistingCache.check(cache);
    TierProgress progress = new TierProgress();
    CacheDirectory directory = CacheDirectory.tryLock(root);
    if (directory == null) {
      while (true) {
        int exit = ControlSocket.request(root, ControlSocket.TIER, progress);
        progress.finish();
        if (once) {
          return exit;
        }
        Thread.sleep(INTERVAL.toMillis());
      }
    }
    try (OpenCache open = OpenCache.open(directory, settings)) {
      while (true) {
        progress.total(open.store().tieringCounts().dirtyBytes());
        TierReport report = open.engine().runOnce(progress::progress, true);
        progress.progress(report);
        progress.finish();
        if (once) {
          return report.errors() == 0 ? 0 : 1;
        }
        Thread.sleep(INTERVAL.toMillis());
      }
    }
  }
}
