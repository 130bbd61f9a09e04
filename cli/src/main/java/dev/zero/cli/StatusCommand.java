package dev.zero.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Prints local bytes used against the target, the files and bytes that are dirty,"
      + " clean-local and remote-only, and the last errors from the remote.")
final class StatusCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "<cache>", description = "The cache directory of a Zero filesystem.")
  Path cache;

  @Mixin ConfigOption config;

  @Override
  public Integer call() throws UserError, IOException {
    return CacheRequest.run(cache, config, ControlSocket.STATUS, open -> {
      StatusReport.lines(open.store(), open.engine()).forEach(System.out::println);
      return 0;
    });
  }
}
