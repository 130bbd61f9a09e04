package dev.zero.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
    name = "zero-cli",
    mixinStandardHelpOptions = true,
    version = "zero 0.1.0",
    description = "Zero: a FUSE filesystem with a persistent local disk cache.",
    subcommands = {MountCommand.class, CommandLine.HelpCommand.class})
public final class ZeroCli {
  public static void main(String[] args) {
    CommandLine cli = new CommandLine(new ZeroCli());
    cli.setExecutionExceptionHandler(
        (exception, commandLine, parseResult) -> {
          if (exception instanceof UserError error) {
            System.err.println("zero-cli: " + error.getMessage());
            return error.exitCode();
          }
          throw exception;
        });
    System.exit(cli.execute(args));
  }
}
