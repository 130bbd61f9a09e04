package dev.zero.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(
    name = "backup",
    mixinStandardHelpOptions = true,
    description = "Backs the metadata store up to the remote now, if it changed since the last backup"
      + " (the mount also does this every backupIntervalSeconds and at unmount).")
final class BackupCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "<cache>", description = "The cache directory of a Zero filesystem.")
  Path cache;

  @Mixin ConfigOption config;

  @Override
  public Integer call() throws UserError, IOException {
    return CacheRequest.run(cache, config, ControlSocket.BACKUP, open -> {
      System.out.println(summary(open.engine().backUpNow()));
      return 0;
    });
  }

  static String summary(String key) {
    return key == null ? "backup: nothing changed since the last backup" : "backup: " + key;
  }
}
