package dev.zero.cli;

import dev.zero.store.OwnerOnly;
import jnr.posix.POSIXFactory;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "zero-cli",
    mixinStandardHelpOptions = true,
    // Inherited, so that --version works on every command too.
    scope = CommandLine.ScopeType.INHERIT,
    version = "zero 0.1.0",
    description = "Zero: a FUSE filesystem on a persistent local disk cache, with cold content in Backblaze B2.",
    subcommands = {MountCommand.class, TierCommand.class, StatusCommand.class, ResidencyCommands.Ls.class,
        ResidencyCommands.Pin.class, ResidencyCommands.Unpin.class, ResidencyCommands.Evict.class, ResidencyCommands.Fetch.class, BackupCommand.class, SyncCommand.class, RestoreCommand.class, FsckCommand.class, GcCommand.class, B2EmulatorCommand.class,
        AutoComplete.GenerateCompletion.class, CommandLine.HelpCommand.class})
public final class ZeroCli implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Name a command, for example: zero-cli mount <mountpoint> <cache>");
  }

  public static void main(String[] args) {
    // Everything this process creates (content, the metadata store, its journal and temporaries,
    // the lock, backups, a local remote, an emulator's bucket) holds users' data: the umask keeps
    // all of it owner-only, also what a library or a new line of code creates without a mode.
    POSIXFactory.getNativePOSIX().umask(OwnerOnly.UMASK);
    Logging.toStderr(Logging.LogLevel.info);
    CommandLine cli = new CommandLine(new ZeroCli());
    cli.getSubcommands().get("mount").getCommandSpec().usageMessage().footer(MountCommand.helpFooter());
    cli.setExecutionExceptionHandler(
        (exception, commandLine, parseResult) -> {
          if (exception instanceof UserError error) {
            System.err.println("zero-cli: " + error.getMessage());
            return error.exitCode();
          }
          if (exception instanceof java.io.IOException failure) {
            // Not a mistake of the user's, but still one line, not a stack trace.
            System.err.println("zero-cli: " + failure.getMessage());
            return 1;
          }
          throw exception;
        });
    System.exit(cli.execute(args));
  }
}
