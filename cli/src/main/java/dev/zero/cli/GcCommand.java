package dev.zero.cli;

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
    return CacheRequest.run(cache, config, ControlSocket.GC, open -> collect(open.engine(), System.out::println));
  }

  /**
   * Runs the collection and prints its outcome; returns the exit code. Mounted or not, the same:
   * a collection that cannot safely run (or fails) says why in one line.
   */
  static int collect(TieringEngine engine, Consumer<String> out) {
    try {
      TierReport report = engine.collectGarbage();
      out.accept("gc: deleted " + report.deletedObjects() + " remote objects, " + Bytes.human(report.deletedBytes()) + " freed");
      return 0;
    } catch (IOException e) {
      out.accept("gc: nothing deleted: " + e.getMessage() + ".");
      return UserError.SETUP;
    }
  }
}
