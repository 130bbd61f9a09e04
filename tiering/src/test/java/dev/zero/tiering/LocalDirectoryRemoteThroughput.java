package dev.zero.tiering;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;

/**
 * Measures a {@link LocalDirectoryRemote}: upload of one file (with its fsyncs) and a download of
 * all of it into a new file, each the median of several runs. Not a test: run by hand with {@code
 * java -cp target/classes:target/test-classes dev.zero.tiering.LocalDirectoryRemoteThroughput
 * <scratch dir> [MiB] [runs]}.
 */
public final class LocalDirectoryRemoteThroughput {
  private static final int MIB = 1 << 20;

  private LocalDirectoryRemoteThroughput() {}

  public static void main(String[] args) throws Exception {
    Path scratch = Path.of(args[0]);
    int mebibytes = args.length > 1 ? Integer.parseInt(args[1]) : 1024;
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    long size = (long) mebibytes * MIB;
    Path source = writeSource(scratch.resolve("source"), size);
    double[] uploads = new double[runs];
    double[] downloads = new double[runs];
    double[] durableDownloads = new double[runs];
    try (Remote remote = new LocalDirectoryRemote(scratch.resolve("remote"))) {
      for (int run = 0; run < runs; run++) {
        long started = System.nanoTime();
        remote.upload("object", source);
        uploads[run] = megabytesPerSecond(size, started);

        Path target = scratch.resolve("target");
        try (FileChannel channel =
            FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
          started = System.nanoTime();
          long written = remote.download("object", 0, size, channel, 0);
          downloads[run] = megabytesPerSecond(written, started);
          channel.force(true);
          durableDownloads[run] = megabytesPerSecond(written, started);
        }
        Files.delete(target);
        remote.delete("object");
      }
    }
    Files.delete(source);
    System.out.printf(
        "%d MiB, median of %d: upload %.0f MB/s, download %.0f MB/s (%.0f MB/s with the target"
            + " fsynced)%n",
        mebibytes, runs, median(uploads), median(downloads), median(durableDownloads));
  }

  private static Path writeSource(Path source, long size) throws IOException {
    byte[] block = new byte[MIB];
    new Random(1).nextBytes(block);
    try (FileChannel channel =
        FileChannel.open(source, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (long written = 0; written < size; written += MIB) {
        block[0]++; // no two blocks alike
        ByteBuffer buffer = ByteBuffer.wrap(block);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
      }
      channel.force(true);
    }
    return source;
  }

  private static double megabytesPerSecond(long bytes, long startedNanos) {
    return bytes / 1e6 / ((System.nanoTime() - startedNanos) / 1e9);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
