package dev.zero.cli;

import dev.zero.tiering.Bytes;
import dev.zero.tiering.Residency;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The commands that show and steer which files are local: ls, pin, unpin, evict, fetch (and
 * status PATH, in {@link StatusCommand}). Each takes paths on a mounted Zero, or with --cache
 * paths inside that cache's filesystem, and runs in the mount process while it is mounted.
 */
final class ResidencyCommands {
  private ResidencyCommands() {}

  /** The options every one of these commands takes. */
  static final class Paths {
    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or directories on a mounted Zero (with --cache: paths inside its filesystem, from its root).")
    List<Path> paths;

    @Option(names = "--cache", paramLabel = "DIR", description = "The cache directory of the filesystem, for paths inside it (mounted or not).")
    Path cache;

    @Mixin ConfigOption config;

    int run(String verb, boolean recursive) throws UserError, IOException {
      return ResidencyCommands.run(verb, recursive, FilesystemPaths.of(paths, cache), config);
    }
  }

  /** Runs one request on the filesystem of {@code where}: in its mount process if mounted. */
  static int run(String verb, boolean recursive, FilesystemPaths where, ConfigOption config) throws UserError, IOException {
    ResidencyWork.Request request = new ResidencyWork.Request(verb, recursive, where.inside());
    RecallBar bar = new RecallBar();
    try {
      return CacheRequest.run(where.cache(), config, request.encode(), bar,
          open -> ResidencyWork.run(request, new Residency(open.store(), open.engine()), bar));
    } finally {
      bar.finish();
    }
  }

  @Command(name = "ls", mixinStandardHelpOptions = true,
      description = {"Prints, per file, where its content is, whether it is pinned, its local bytes and its size:",
          "STATE PIN LOCAL SIZE PATH, where STATE is local (not uploaded yet), synced (local and uploaded),"
              + " remote (only in the remote) or partial (partly recalled), and - for what has no content."})
  static final class Ls implements Callable<Integer> {
    @Mixin Paths paths;

    @Option(names = "-R", description = "List every file under the directories, not just their entries.")
    boolean recursive;

    @Override
    public Integer call() throws UserError, IOException {
      return paths.run(ResidencyWork.LS, recursive);
    }
  }

  /** A command that acts on whole trees: pin, unpin, evict, fetch. */
  abstract static class TreeCommand implements Callable<Integer> {
    private final String verb;

    @Mixin Paths paths;

    TreeCommand(String verb) {
      this.verb = verb;
    }

    @Override
    public Integer call() throws UserError, IOException {
      return paths.run(verb, true);
    }
  }

  @Command(name = "pin", mixinStandardHelpOptions = true,
      description = "Keeps files and whole trees local: recalls them now, never evicts them, and pins what is"
          + " created later in a pinned directory. Refused if the pinned files would hold more than the target.")
  static final class Pin extends TreeCommand {
    Pin() {
      super(ResidencyWork.PIN);
    }
  }

  @Command(name = "unpin", mixinStandardHelpOptions = true,
      description = "Undoes pin for files and whole trees: tiering may evict them again.")
  static final class Unpin extends TreeCommand {
    Unpin() {
      super(ResidencyWork.UNPIN);
    }
  }

  @Command(name = "evict", mixinStandardHelpOptions = true,
      description = "Frees local space now: uploads what is not uploaded in those trees, then evicts their content."
          + " Open and pinned files are skipped and named.")
  static final class Evict extends TreeCommand {
    Evict() {
      super(ResidencyWork.EVICT);
    }
  }

  @Command(name = "fetch", mixinStandardHelpOptions = true,
      description = "Recalls files and whole trees from the remote now, without pinning them.")
  static final class Fetch extends TreeCommand {
    Fetch() {
      super(ResidencyWork.FETCH);
    }
  }

  /** Shows recalls as they go: a bar redrawn in place on a terminal, nothing otherwise. */
  static final class RecallBar implements ControlSocket.Listener, ResidencyWork.Output {
    private static final int WIDTH = 30;
    private final boolean terminal = System.console() != null;
    private boolean drawn;

    @Override
    public void line(String text) {
      finish();
      System.out.println(text);
    }

    @Override
    public synchronized void recalled(long files, long totalFiles, long bytes, long totalBytes) {
      if (!terminal) {
        return;
      }
      double done = totalBytes == 0 ? 1 : Math.min(1, bytes / (double) totalBytes);
      int filled = (int) (done * WIDTH);
      System.out.print("\r[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + String.format("%3.0f%%", done * 100)
          + " " + files + " of " + totalFiles + " files, " + Bytes.human(bytes) + " of " + Bytes.human(totalBytes) + "   ");
      System.out.flush();
      drawn = true;
    }

    /** Ends the bar's line, if one was drawn. */
    synchronized void finish() {
      if (drawn) {
        System.out.println();
        drawn = false;
      }
    }
  }
}
