package dev.zero.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "status <cache>: prints local bytes used against the target, the files and bytes that are dirty,"
          + " clean-local and remote-only, and the last errors from the remote.",
      "status PATH...: sums each tree on a mounted Zero (with --cache: inside that cache's filesystem) by where"
          + " its files' content is: local and not uploaded, local and uploaded, remote only, partly local; and pinned."
    })
final class StatusCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "<cache>|PATH", description = "The cache directory of a Zero filesystem, or paths on a mounted one.")
  List<Path> targets;

  @Option(names = "--cache", paramLabel = "DIR", description = "Sum the trees at these paths inside this cache's filesystem (mounted or not).")
  Path cache;

  @Mixin ConfigOption config;

  @Override
  public Integer call() throws UserError, IOException {
    if (cache != null || Mountpoint.zeroMountHolding(targets.get(0).toAbsolutePath().normalize()) != null) {
      return ResidencyCommands.run(ResidencyWork.STATUS, true, FilesystemPaths.of(targets, cache), config);
    }
    if (targets.size() > 1) {
      throw new UserError(2, "status takes one cache directory, or paths on a mounted Zero; "
          + targets.get(0) + " is not on a mounted Zero.");
    }
    return CacheRequest.run(targets.get(0), config, ControlSocket.STATUS, open -> {
      StatusReport.lines(open.store(), open.engine()).forEach(System.out::println);
      return 0;
    });
  }
}
