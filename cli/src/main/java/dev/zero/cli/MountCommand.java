package dev.zero.cli;

import dev.zero.fuse.ZeroFileSystem;
import dev.zero.fusekernel.FuseServer;
import dev.zero.fusekernel.MountOptions;
import dev.zero.tiering.FilesystemClaim;
import dev.zero.tiering.RemoteException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import jnr.posix.POSIXFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import sun.misc.Signal;

@Command(
    name = "mount",
    mixinStandardHelpOptions = true,
    description = {
      "Mounts Zero on <mountpoint>, keeping content and state in <cache>.",
      "Runs in the foreground until the filesystem is unmounted (fusermount -u <mountpoint>)"
          + " or the process gets SIGINT or SIGTERM, which unmount cleanly. Tiers in the"
          + " background: uploads quiet files, evicts when over the target disk usage."
    })
final class MountCommand implements Callable<Integer> {
  private static final System.Logger LOG = System.getLogger(MountCommand.class.getName());
  /** How long a mount waits for the remote before it mounts without it. */
  private static final Duration CLAIM_WAIT = Duration.ofSeconds(5);
  /** Request threads of the multi-threaded loop: one per core of this kind of machine. */
  private static final int MULTI_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());

  /** What --help adds below the options: every configuration key, and the exit codes. */
  static String[] helpFooter() {
    List<String> lines = new ArrayList<>(List.of("", "Configuration keys (config.yml; the README explains each):"));
    StringBuilder line = new StringBuilder(" ");
    for (String key : ConfigLoader.KEYS) {
      if (line.length() + key.length() > 72) {
        lines.add(line.toString());
        line = new StringBuilder(" ");
      }
      line.append(' ').append(key);
    }
    lines.add(line.toString());
    lines.addAll(List.of("", "Exit codes:",
        "  0  unmounted cleanly",
        "  1  an operation failed (the message says why)",
        "  2  a wrong command line",
        "  3  a bad configuration, or B2 refused the key or bucket",
        "  4  a cache that cannot be used (not writable, in use, or its remote",
        "     holds another filesystem or another machine's mount)",
        "  5  a mountpoint that cannot be used (missing, not empty, mounted, or",
        "     no access to /dev/fuse)"));
    return lines.toArray(String[]::new);
  }

  @Parameters(index = "0", paramLabel = "<mountpoint>", description = "An existing empty directory.")
  Path mountpoint;

  @Parameters(index = "1", paramLabel = "<cache>", description = "Directory for local content and the metadata store; created if missing.")
  Path cache;

  @Mixin ConfigOption config;

  @Option(names = "--fuse-loop", paramLabel = "single|multi", description = "One request thread, or one per core; overrides fuseLoop in config.yml.")
  String fuseLoop;

  @Option(names = "--debug", description = "Log every FUSE request and its answer.")
  boolean debug;

  @Option(names = "--no-passthrough", description = "Serve reads and writes of local files through Zero, not by"
      + " kernel passthrough (which needs root and Linux 6.9 or newer; without them this is what happens anyway).")
  boolean noPassthrough;

  @Option(names = "--no-io-uring", description = "Take FUSE requests from /dev/fuse, not over io_uring (which Zero"
      + " uses when the kernel offers it: Linux 6.14 or newer, with /sys/module/fuse/parameters/enable_uring set to Y).")
  boolean noIoUring;

  @Option(names = "--log-level", paramLabel = "error|warning|info|debug", defaultValue = "info",
      description = "What the mount logs, to stderr and to <cache>/zero.log.0 (rotated at 10 MB, 5 kept):"
          + " debug adds every upload, eviction and recall with its path. Default: ${DEFAULT-VALUE}.")
  Logging.LogLevel logLevel;

  @Option(names = "--take-over", description = "Mount although the remote says another machine has this filesystem"
      + " mounted: only when that machine is gone for good (a crash on this machine is taken over by itself).")
  boolean takeOver;

  @Override
  public Integer call() throws UserError, IOException, InterruptedException {
    Config settings = config.load();
    boolean multithreaded = fuseLoop == null ? settings.multithreadedFuse() : parseLoop(fuseLoop);
    Path target = Mountpoint.check(mountpoint);
    Logging.toStderr(logLevel);
    CacheDirectory directory = CacheDirectory.lock(cache.toAbsolutePath().normalize());
    Path log;
    try {
      log = Logging.toCacheFile(directory.root(), logLevel);
    } catch (UserError e) {
      directory.close();
      throw e;
    }
    try (OpenCache open = OpenCache.open(directory, settings, takeOver);
        ControlSocket control = ControlSocket.serve(open.root(), open.store(), open.engine())) {
      claimRemote(open);
      ScheduledExecutorService tiering = startBackgroundTiering(open);
      // Registering backing files needs CAP_SYS_ADMIN: other users get I/O through Zero.
      boolean passthrough = !noPassthrough && FuseServer.privileged();
      MountOptions options = new MountOptions(directory.root().toString(), "zero", allowOther(), multithreaded ? MULTI_THREADS : 1, passthrough, !noIoUring, debug);
      FuseServer fuse;
      try {
        fuse = FuseServer.mount(target, options, new ZeroFileSystem(open.store(), settings.capacityBytes()));
      } catch (IOException e) {
        tiering.shutdownNow();
        throw new UserError(UserError.MOUNT, "cannot mount " + target + ": " + e.getMessage()
            + "; check that the fuse kernel module is loaded and, when not root, that fusermount3 is installed.");
      }
      Signal.handle(new Signal("TERM"), signal -> unmountQuietly(fuse));
      Signal.handle(new Signal("INT"), signal -> unmountQuietly(fuse));
      LOG.log(Level.INFO, "mounted " + target + " (cache " + open.root() + "; remote: " + open.engine().remoteName()
          + "; log: " + log + ")");
      try {
        fuse.serve();
      } finally {
        tiering.shutdown();
        tiering.awaitTermination(10, TimeUnit.MINUTES);
      }
      open.engine().backUpNow();
      LOG.log(Level.INFO, "unmounted " + target);
      return 0;
    }
  }

  /**
   * Claims the remote's filesystem before mounting, which also checks the credentials: a remote
   * that refuses them, or belongs to another filesystem or machine, stops the mount. One that
   * cannot be reached soon does not (local files work, and tiering claims it once it is back).
   */
  private static void claimRemote(OpenCache open) throws UserError, InterruptedException {
    CompletableFuture<Void> claim = CompletableFuture.runAsync(() -> {
      try {
        open.engine().claim();
      } catch (IOException e) {
        throw new CompletionException(e);
      }
    });
    try {
      claim.get(CLAIM_WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      LOG.log(Level.WARNING, "the remote does not answer within " + CLAIM_WAIT.toSeconds()
          + " s; mounting anyway: local files work, and uploads start once it is back.");
    } catch (ExecutionException e) {
      Throwable failure = e.getCause() instanceof CompletionException wrapped ? wrapped.getCause() : e.getCause();
      if (failure instanceof FilesystemClaim.ConflictException conflict) {
        throw new UserError(UserError.SETUP, conflict.getMessage());
      }
      if (failure instanceof RemoteException remote && remote.kind() != RemoteException.Kind.UNAVAILABLE) {
        throw new UserError(UserError.CONFIG, remote.getMessage());
      }
      LOG.log(Level.WARNING, "the remote cannot be reached (" + failure.getMessage()
          + "); mounting anyway: local files work, and uploads start once it is back.");
    }
  }

  /** Tiers every few seconds, so that a user who never runs zero-cli tier never fills the disk. */
  private static ScheduledExecutorService startBackgroundTiering(OpenCache open) {
    ScheduledExecutorService tiering = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "zero-tiering");
      thread.setDaemon(true);
      return thread;
    });
    long seconds = TierCommand.INTERVAL.toSeconds();
    tiering.scheduleWithFixedDelay(() -> {
      try {
        open.engine().runOnce(null, false);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "tiering pass failed: " + e);
      }
    }, seconds, seconds, TimeUnit.SECONDS);
    return tiering;
  }

  private static void unmountQuietly(FuseServer fuse) {
    try {
      fuse.unmount();
    } catch (IOException e) {
      LOG.log(Level.WARNING, e.getMessage());
    }
  }

  /** allow_other needs root, or user_allow_other in /etc/fuse.conf; without it, only we get in. */
  private static boolean allowOther() throws IOException {
    if (POSIXFactory.getNativePOSIX().getuid() == 0) {
      return true;
    }
    Path fuseConf = Path.of("/etc/fuse.conf");
    boolean permitted = Files.exists(fuseConf) && Files.readAllLines(fuseConf).stream().anyMatch(line -> line.trim().equals("user_allow_other"));
    if (!permitted) {
      LOG.log(Level.WARNING, "other users will not see this mount; add user_allow_other to /etc/fuse.conf to let them in.");
    }
    return permitted;
  }

  private static boolean parseLoop(String loop) throws UserError {
    return switch (loop) {
      case "single" -> false;
      case "multi" -> true;
      default -> throw new UserError(UserError.CONFIG, "--fuse-loop must be single or multi, not '" + loop + "'.");
    };
  }
}
