package dev.zero.cli;

import dev.zero.fuse.MountOptions;
import dev.zero.fuse.ZeroFuse;
import dev.zero.store.InodeStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import jnr.posix.POSIX;
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
          + " or the process gets SIGINT or SIGTERM, which unmount cleanly."
    })
final class MountCommand implements Callable<Integer> {
  /** How long a metadata change may wait for its commit; fsync commits at once. */
  static final Duration COMMIT_INTERVAL = Duration.ofMillis(200);

  @Parameters(index = "0", paramLabel = "<mountpoint>", description = "An existing empty directory.")
  Path mountpoint;

  @Parameters(index = "1", paramLabel = "<cache>", description = "Directory for local content and the metadata store; created if missing.")
  Path cache;

  @Mixin ConfigOption config;

  @Option(names = "--fuse-loop", paramLabel = "single|multi", description = "libfuse's request loop; overrides fuseLoop in config.yml.")
  String fuseLoop;

  @Option(names = "--debug", description = "Print every FUSE request (libfuse's -d).")
  boolean debug;

  @Override
  public Integer call() throws UserError, IOException {
    Config settings = config.load();
    boolean multithreaded = fuseLoop == null ? settings.multithreadedFuse() : parseLoop(fuseLoop);
    Path target = Mountpoint.check(mountpoint);
    try (CacheDirectory cacheDir = CacheDirectory.lock(cache.toAbsolutePath().normalize())) {
      POSIX posix = POSIXFactory.getNativePOSIX();
      InodeStore store = openStore(settings.metadataFileIn(cacheDir.root()), cacheDir.contentDir(), posix);
      ZeroFuse fuse = new ZeroFuse(store);
      Runnable unmount = fuse::unmount;
      Signal.handle(new Signal("TERM"), signal -> unmount.run());
      Signal.handle(new Signal("INT"), signal -> unmount.run());
      System.err.println("zero: mounting " + target + " (cache " + cacheDir.root() + ")");
      try {
        fuse.serve(target, new MountOptions(multithreaded, allowOther(posix), debug));
      } finally {
        store.close();
      }
      System.err.println("zero: unmounted " + target);
      return 0;
    }
  }

  private static InodeStore openStore(Path metadataFile, Path contentDir, POSIX posix) throws UserError {
    try {
      return InodeStore.open(metadataFile, contentDir, COMMIT_INTERVAL, posix.getuid(), posix.getgid());
    } catch (IOException | RuntimeException e) {
      throw new UserError(UserError.SETUP, "cannot open the metadata store " + metadataFile + " (" + e.getMessage() + "); check the path and that no other process uses it.");
    }
  }

  /** allow_other needs root, or user_allow_other in /etc/fuse.conf; without it, only we get in. */
  private static boolean allowOther(POSIX posix) throws IOException {
    if (posix.getuid() == 0) {
      return true;
    }
    Path fuseConf = Path.of("/etc/fuse.conf");
    boolean permitted = Files.exists(fuseConf) && Files.readAllLines(fuseConf).stream().anyMatch(line -> line.trim().equals("user_allow_other"));
    if (!permitted) {
      System.err.println("zero: other users will not see this mount; add user_allow_other to /etc/fuse.conf to let them in.");
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
