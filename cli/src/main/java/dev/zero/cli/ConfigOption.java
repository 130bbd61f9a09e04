package dev.zero.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The --config option every command that reads configuration takes. */
final class ConfigOption {
  @Option(names = "--config", paramLabel = "FILE", description = "Configuration file (default: ~/.config/zero/config.yml; without one, the embedded default).")
  Path file;

  Config load() throws UserError {
    return file == null ? ConfigLoader.load(ConfigLoader.defaultLocation(), false) : ConfigLoader.load(file, true);
  }
}
