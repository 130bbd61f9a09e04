package dev.zero.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "zero-cli",
    mixinStandardHelpOptions = true,
    version = "zero 0.1.0",
    description = "Zero: a FUSE filesystem with a persistent local disk cache.",
    subcommands = {MountCommand.class, B2EmulatorCommand.class, CommandLine.HelpCommand.class})
public final class ZeroCli implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Name a command, for example: zero-cli mount <mountpoint> <cache>");
  }

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
