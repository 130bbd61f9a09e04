package dev.zero.cli;

import dev.zero.tiering.Bytes;
import dev.zero.tiering.TierReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(
    name = "gc",
    mixinStandardHelpOptions = true,
    description = "Deletes remote content objects that no file and no kept metadata backup refers to"
      + " (left by crashes or superseded uploads), and reports what it deleted and the bytes freed."
      + " Lists the remote, which B2 charges for, so run it now and then, not constantly"
      + " (the mount also does this every gcIntervalSeconds).")
final class GcCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "<cache>", description = "The cache directory of a Zero filesystem.")
  Path cache;

  @Mixin ConfigOption config;

  @Override
  public Integer call() throws UserError, IOException {
    return CacheRequest.run(cache, config, ControlSocket.GC, open -> {
      System.out.println(summary(open.engine().collectGarbage()));
      return 0;
    });
  }

  static String summary(TierReport report) {
    return "gc: deleted " + report.deletedObjects() + " remote objects, "
        + Bytes.human(report.deletedBytes()) + " freed";
  }
}
