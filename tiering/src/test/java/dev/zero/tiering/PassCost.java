package dev.zero.tiering;

import dev.zero.store.FileMode;
import dev.zero.store.InodeStore;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A benchmark, not a test (bench/pass-cost runs it): what one tiering pass costs on a store of
 * many files of which a few changed, in wall time and in the process's CPU time. The store and
 * its content are on the disk under {@code --dir}; the remote is a local directory under
 * {@code --remote}, best on tmpfs (/dev/shm), so that the uploads that build the store are quick
 * and a pass's figure is Zero's own work, not the remote's.
 *
 * <p>Usage: {@code PassCost [--files N] [--changed N] [--passes N] [--dir D] [--remote D]}
 */
public final class PassCost {
  public static void main(String[] args) throws Exception {
    int files = intArg(args, "--files", 100_000);
    int changed = intArg(args, "--changed", 10);
    int passes = intArg(args, "--passes", 7);
    Path dir = Files.createTempDirectory(Path.of(stringArg(args, "--dir", "/tmp")), "zero-pass-cost-");
    Path remoteDir = Files.createTempDirectory(Path.of(stringArg(args, "--remote", "/dev/shm")), "zero-pass-cost-remote-");
    try {
      run(dir, remoteDir, files, changed, passes);
    } finally {
      deleteTree(dir);
      deleteTree(remoteDir);
    }
  }

  private static void run(Path dir, Path remoteDir, int files, int changed, int passes) throws Exception {
    InodeStore store = InodeStore.open(dir.resolve("meta.db"), dir.resolve("content"), Duration.ofSeconds(5), 0, 0);
    Remote remote = new LocalDirectoryRemote(remoteDir);
    FilesystemClaim claim = new FilesystemClaim(store, remote, new FilesystemLayout("pass-cost"), dir, false);
    TieringPolicy policy = new TieringPolicy(1L << 40, Duration.ZERO, 2, Duration.ofDays(1), Duration.ZERO, 0);
    try (TieringEngine engine = new TieringEngine(store, remote, claim, policy, dir)) {
      long started = System.nanoTime();
      long[] inos = new long[files];
      byte[] data = new byte[1024];
      for (int i = 0; i < files; i++) {
        long parent = i % 1000 == 0 ? store.mkdir(InodeStore.ROOT, "d" + i / 1000, 0755, 0, 0).ino() : store.lookup(InodeStore.ROOT, "d" + i / 1000);
        inos[i] = store.mknod(parent, "f" + i, FileMode.S_IFREG | 0644, 0, 0, 0).ino();
        write(store, inos[i], data);
      }
      TierReport first = engine.runOnce(report -> {}, true);
      System.out.printf("built: %d files, %d uploaded, in %.1f s%n", files, first.uploadedFiles(), (System.nanoTime() - started) / 1e9);

      double[] wallMillis = new double[passes];
      double[] cpuMillis = new double[passes];
      for (int pass = 0; pass < passes; pass++) {
        for (int i = 0; i < changed; i++) {
          write(store, inos[(pass * changed + i) * 7919 % files], data);
        }
        long cpu = processCpuNanos();
        long wall = System.nanoTime();
        TierReport report = engine.runOnce(r -> {}, true);
        wallMillis[pass] = (System.nanoTime() - wall) / 1e6;
        cpuMillis[pass] = (processCpuNanos() - cpu) / 1e6;
        if (report.uploadedFiles() != changed) {
          throw new IllegalStateException("pass " + pass + " uploaded " + report.uploadedFiles() + " files, not " + changed);
        }
      }
      System.out.printf("pass with %d of %d files changed: median %.1f ms wall, %.1f ms CPU (%d passes)%n",
          changed, files, median(wallMillis), median(cpuMillis), passes);

      long cpu = processCpuNanos();
      long wall = System.nanoTime();
      int statfsCalls = 100;
      for (int i = 0; i < statfsCalls; i++) {
        store.tieringCounts();
      }
      System.out.printf("tiering counts (statfs, status): %.2f ms wall, %.2f ms CPU per call%n",
          (System.nanoTime() - wall) / 1e6 / statfsCalls, (processCpuNanos() - cpu) / 1e6 / statfsCalls);
    } finally {
      store.close();
    }
  }

  private static void write(InodeStore store, long ino, byte[] data) throws Exception {
    Path content = store.open(ino, true);
    Files.write(content, data);
    store.wrote(ino, data.length);
    store.release(ino, true);
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static int intArg(String[] args, String name, int otherwise) {
    String value = stringArg(args, name, null);
    return value == null ? otherwise : Integer.parseInt(value);
  }

  private static String stringArg(String[] args, String name, String otherwise) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return otherwise;
  }

  private static void deleteTree(Path root) throws Exception {
    List<Path> paths = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root)) {
      walk.forEach(paths::add);
    }
    paths.sort(Comparator.reverseOrder());
    for (Path path : paths) {
      Files.deleteIfExists(path);
    }
  }
}
