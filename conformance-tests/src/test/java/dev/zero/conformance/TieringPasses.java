package dev.zero.conformance;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Asks a mount for a tiering pass every {@code interval} (counted from the end of the previous
 * one, as a shell loop of {@code zero-cli tier --once; sleep 2} does) over its control socket,
 * which is what that command does when the cache is mounted; without the command's JVM start,
 * which would take most of a CPU second per pass from the workload being measured. Sums up what
 * the passes did, so a test can show that tiering really happened.
 */
final class TieringPasses implements AutoCloseable {
    private final Path socket;
    private final Duration interval;
    private final Thread thread;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final List<String> failures = new ArrayList<>();
    private int passes;
    private long uploadedFiles;
    private long evictedFiles;
    private long recalledFiles;
    private final List<Long> passMillis = new ArrayList<>();

    private TieringPasses(Path cache, Duration interval) {
        this.socket = cache.resolve("control.sock");
        this.interval = interval;
        this.thread = new Thread(this::loop, "tiering-passes");
    }

    static TieringPasses every(Duration interval, Path cache) {
        TieringPasses passes = new TieringPasses(cache, interval);
        passes.thread.start();
        return passes;
    }

    private void loop() {
        try {
            while (!stop.await(interval.toMillis(), TimeUnit.MILLISECONDS)) {
                pass();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One request; the answer's last {@code progress} line holds the pass's totals. */
    private void pass() {
        long start = System.nanoTime();
        String progress = null;
        String done = null;
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            channel.write(ByteBuffer.wrap("tier\n".getBytes(StandardCharsets.UTF_8)));
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith("progress ")) {
                    progress = line;
                } else if (line.startsWith("done ")) {
                    done = line;
                }
            }
        } catch (IOException e) {
            record("tiering pass request failed: " + e);
            return;
        }
        if (progress == null || done == null) {
            record("tiering pass ended without its totals (progress " + progress + ", " + done + ")");
            return;
        }
        // progress UPLOADED_FILES UPLOADED_BYTES EVICTED_FILES EVICTED_BYTES RECALLED_FILES ...
        String[] n = progress.split(" ");
        synchronized (this) {
            passes++;
            passMillis.add((System.nanoTime() - start) / 1_000_000);
            uploadedFiles += Long.parseLong(n[1]);
            evictedFiles += Long.parseLong(n[3]);
            recalledFiles += Long.parseLong(n[5]);
        }
    }

    private synchronized void record(String failure) {
        failures.add(failure);
    }

    /** Stops asking, after the pass in progress if any. */
    @Override
    public void close() throws InterruptedException {
        stop.countDown();
        thread.join();
    }

    synchronized String summary() {
        return passes + " tiering passes: " + uploadedFiles + " files uploaded, " + evictedFiles + " evicted, "
                + recalledFiles + " recalled ahead of use, taking " + passMillis + " ms" + (failures.isEmpty() ? "" : "; failures: " + failures);
    }

    synchronized long evictedFiles() {
        return evictedFiles;
    }

    synchronized long uploadedFiles() {
        return uploadedFiles;
    }
}
