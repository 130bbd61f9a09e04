package dev.zero.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zero.b2emulator.B2Emulator;
import dev.zero.b2emulator.EmulatorConfig;
import dev.zero.b2emulator.Fault;
import dev.zero.conformance.CrashModel.Counts;
import dev.zero.conformance.CrashModel.Key;
import dev.zero.conformance.CrashModel.Snapshot;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Zero only: a kill -9 loop. Each iteration runs a random mixed workload of real system calls on
 * the mount ({@link CrashWorkload}) for a random 0.3-1.5 s while tiering passes upload and evict
 * content (target 2 MB, no upload delay), SIGKILLs the mount process, clears the dead mount, and
 * then: {@code zero-cli fsck} on the unmounted cache must find no problem; the cache mounts again
 * with no repair step; and everything the workload made durable is there, exactly
 * ({@link CrashModel} says what that is, and why it is only what POSIX and fsync promise).
 *
 * <p>The second test does the same with the remote being the B2 emulator in this JVM, with uploads
 * failing (500, dropped connections) or slow, chosen at random for each iteration; at the end,
 * with B2 healthy again, {@code tier --once} must succeed and every file must read back byte-exact,
 * also the evicted ones, which come back from B2.
 *
 * <p>A violation after a kill is a finding: printed at once with the operations before the kill,
 * fsck's output and the mount's log, and the loop goes on (fsck does not repair anything), so that
 * one problem does not hide the others; the test fails at the end with all of them. The loop stops
 * early only when it cannot go on: the cache does not mount again (the metadata store as the kill
 * left it is then saved next to the logs), or a system call fails on the live mount with anything
 * but EIO (the model no longer knows the filesystem). A file that fails with EIO is reported once
 * and left alone from then on.
 *
 * <p>System properties: {@code zero.crash.kills} (default 20) and {@code zero.crash.faultKills}
 * (default 12) are the number of kills of each test; {@code zero.crash.seed} replays a run's random
 * choices (the kill timing and what was in flight vary); {@code zero.crash.keep=true} keeps the
 * work directory of a failed run. Every operation is logged to {@code
 * target/zero-mount-logs/crashloop-*.ops.log}.
 */
class CrashLoopTest {
    private static final double TARGET_GB = 0.002;
    private static final long MIN_WORKLOAD_MILLIS = 300;
    private static final long MAX_WORKLOAD_MILLIS = 1500;
    private static final long JOIN_MILLIS = 20_000;

    @BeforeEach
    void requireTheJar() {
        Assumptions.assumeTrue(ZeroMount.jarAvailable(), "no zero-cli jar at " + ZeroMount.jar() + " (build the cli module first)");
    }

    @Test
    void everythingMadeDurableSurvivesKillNineLoopWithALocalDirectoryRemote() throws Exception {
        try (Loop loop = new Loop("crash-local", Integer.getInteger("zero.crash.kills", 20), false)) {
            loop.run();
        }
    }

    @Test
    void everythingMadeDurableSurvivesKillNineLoopWhileB2UploadsFail() throws Exception {
        try (Loop loop = new Loop("crash-b2", Integer.getInteger("zero.crash.faultKills", 12), true)) {
            loop.run();
        }
    }

    /** One loop: its work directory, the mount, the emulator, the model, and the counters. */
    private static final class Loop implements AutoCloseable {
        private final String name;
        private final int kills;
        private final long seed;
        private final Random rng;
        private final Path work;
        private final Path mnt;
        private final Path cache;
        private final Path config;
        private final B2Emulator emulator;
        private final Path opsLog;
        private final List<String> log = Collections.synchronizedList(new ArrayList<>());
        private final AtomicLong names = new AtomicLong();
        private final Counts counts = new Counts();
        private final long started = System.nanoTime();
        private ZeroMount mount;
        /** The running iteration's kill flag: set, the workload and the tiering requests stop. */
        private AtomicBoolean running = new AtomicBoolean();
        private CrashModel model;
        private int survived;
        private int opsRun;
        private int tierPasses;
        private boolean failed = true;
        private final List<String> findings = new ArrayList<>();
        private final Set<String> fsckLinesSeen = new HashSet<>();
        /** Files Zero failed to read or write (EIO), reported once and left alone since. */
        private final Set<Long> broken = new HashSet<>();
        /** Inconsistencies already reported (a file whose size and content disagree stays so). */
        private final Set<String> reported = new HashSet<>();
        private String firstDetails;

        Loop(String name, int kills, boolean b2) throws IOException {
            this.name = name;
            this.kills = kills;
            this.seed = Long.getLong("zero.crash.seed", ThreadLocalRandom.current().nextLong());
            this.rng = new Random(seed);
            this.work = Files.createTempDirectory("zero-crash-");
            this.mnt = work.resolve(name);
            this.cache = work.resolve("cache");
            this.config = work.resolve("config.yml");
            Path logDir = Files.createDirectories(Path.of(System.getProperty("zero.log.dir", System.getProperty("java.io.tmpdir"))));
            this.opsLog = logDir.resolve("crashloop-" + name + "-seed" + seed + ".ops.log");
            Files.deleteIfExists(opsLog);
            String remote;
            if (b2) {
                try {
                    emulator = B2Emulator.start(EmulatorConfig.of(work.resolve("b2-data"), TieringRig.KEY_ID, TieringRig.KEY, TieringRig.BUCKET));
                } catch (IOException | RuntimeException e) {
                    Trees.deleteRecursively(work);
                    throw e;
                }
                remote = "accountId: " + TieringRig.KEY_ID + "\napplicationKey: " + TieringRig.KEY + "\nbucketId: "
                        + TieringRig.BUCKET + "\nb2Url: " + emulator.url() + "\n";
            } else {
                emulator = null;
                remote = "remoteDirectory: " + work.resolve("remote") + "\n";
            }
            Files.writeString(config, remote + "targetDiskUsage: " + BigDecimal.valueOf(TARGET_GB).toPlainString()
                    + "\nuploadDelaySeconds: 0\n");
            System.out.println("CrashLoopTest[" + name + "]: seed " + seed + " (replay with -Dzero.crash.seed=" + seed + "), "
                    + kills + " kills; operations logged to " + opsLog);
        }

        void run() throws Exception {
            mount = ZeroMount.start(mnt, cache, config);
            model = new CrashModel(Sys.stat(mnt).ino(), 0);
            try {
                for (int i = 0; i < kills; i++) {
                    iteration(i);
                    survived++;
                }
                finish();
            } finally {
                double seconds = (System.nanoTime() - started) / 1e9;
                System.out.printf("CrashLoopTest[%s]: seed %d: %d of %d kills survived, %d files checked byte-exact, %d durable"
                                + " entries checked, %d durable renames checked, %d exactly-one-name checks; %d operations,"
                                + " %d tiering passes requested; %d findings; %.1f s%n",
                        name, seed, survived, kills, counts.contentChecks, counts.entryChecks, counts.durableRenames,
                        counts.atomicityChecks, opsRun, tierPasses, findings.size(), seconds);
            }
            if (!findings.isEmpty()) {
                throw new AssertionError(prefix(kills) + findings.size() + " finding(s) in " + kills + " kills (details of each"
                        + " above in the test output, and every operation in " + opsLog + "):\n\n"
                        + String.join("\n\n", findings) + "\n\n-- details of the first finding:\n" + firstDetails);
            }
            failed = false;
        }

        /** A violation after a kill: printed now with its context, reported at the end with the others. */
        private String finding(int i, String what, ZeroMount logOf, String fsckOutput) {
            flushLog();
            List<String> tail = written.subList(Math.max(0, written.size() - 45), written.size());
            String details = "-- the last operations (all in " + opsLog + "):\n" + String.join("\n", tail)
                    + (fsckOutput == null ? "" : "\n-- zero-cli fsck printed:\n" + fsckOutput)
                    + "\n-- the mount's log:\n" + logOf.logTail();
            String line = prefix(i) + what;
            System.out.println("CrashLoopTest FINDING " + line + "\n" + details);
            if (findings.isEmpty()) {
                firstDetails = details;
            }
            findings.add(line.length() > 6000 ? line.substring(0, 6000) + " ..." : line);
            record("== FINDING: " + what);
            return line + "\n" + details;
        }

        private void iteration(int i) throws Exception {
            String fault = emulator == null ? "" : setRandomFault();
            long millis = MIN_WORKLOAD_MILLIS + rng.nextInt((int) (MAX_WORKLOAD_MILLIS - MIN_WORKLOAD_MILLIS + 1));
            record("== iteration " + i + ": workload for " + millis + " ms" + fault);
            AtomicBoolean killed = new AtomicBoolean();
            running = killed;
            CrashWorkload workload = new CrashWorkload(mnt, model, new Random(rng.nextLong()), killed, names, log, "i" + i + " ");
            Thread worker = new Thread(workload, "crash-workload-" + i);
            List<Thread> passes = new ArrayList<>();
            int passCount = rng.nextInt(10) < 8 ? 1 + rng.nextInt(2) : 0;
            for (int p = 0; p < passCount; p++) {
                passes.add(tierPassLater(rng.nextInt((int) millis), killed, "i" + i + " "));
            }
            tierPasses += passCount;
            worker.start();
            passes.forEach(Thread::start);
            Thread.sleep(millis);

            killed.set(true);
            ZeroMount killedMount = mount;
            mount = null;
            killedMount.kill9();
            killedMount.close();
            worker.join(JOIN_MILLIS);
            for (Thread pass : passes) {
                pass.join(JOIN_MILLIS);
            }
            opsRun += workload.ops();
            flushLog();
            if (worker.isAlive()) {
                throw new AssertionError(finding(i, "the workload thread did not stop within " + JOIN_MILLIS / 1000
                        + " s of the kill", killedMount, null));
            }
            if (workload.unexpected() != null) {
                throw new AssertionError(finding(i, "the workload failed while the mount was alive: " + workload.unexpected(),
                        killedMount, null), workload.unexpected());
            }
            if (workload.mismatch() != null) {
                finding(i, workload.mismatch(), killedMount, null);
            }
            if (emulator != null) {
                emulator.faults().clear();
            }

            // (a) fsck of the unmounted cache finds nothing. Not repaired: the loop goes on, so that
            // one problem does not hide the others; a problem is reported once, when it appears.
            keepCrashState();
            long t0 = System.nanoTime();
            Shell.Result fsck = fsck();
            long t1 = System.nanoTime();
            if (fsck.exitCode() > 1 || !fsck.output().contains("fsck: ")) {
                finding(i, "zero-cli fsck of the killed mount's cache did not finish its check (exit " + fsck.exitCode() + "); "
                        + saveCrashState(i), killedMount, fsck.output());
            } else if (fsck.exitCode() != 0 || !fsck.output().contains("fsck: 0 problems")) {
                List<String> fresh = new ArrayList<>();
                for (String line : fsck.output().split("\n")) {
                    if (!line.isBlank() && !line.startsWith("fsck: ") && fsckLinesSeen.add(line)) {
                        fresh.add(line);
                    }
                }
                if (!fresh.isEmpty() || fsck.exitCode() != 1) {
                    finding(i, "zero-cli fsck of the killed mount's cache exited " + fsck.exitCode()
                            + " (expected 0, no problems); new lines:\n  " + String.join("\n  ", fresh), killedMount, fsck.output());
                }
            }

            // (b) it mounts again without any repair; (c) what was made durable is there, exactly.
            try {
                mount = ZeroMount.start(mnt, cache, config);
            } catch (AssertionError e) {
                throw new AssertionError(finding(i, "the cache does not mount again after the kill: " + e.getMessage() + "\n"
                        + saveCrashState(i), killedMount, fsck.output()), e);
            }
            long t2 = System.nanoTime();
            Snapshot snapshot = snapshot();
            long t3 = System.nanoTime();
            Counts these = new Counts();
            model.nodes.values().stream().filter(n -> n.broken).forEach(n -> broken.add(n.ino));
            List<String> failures = model.check(snapshot, these, broken, reported);
            if (!failures.isEmpty()) {
                finding(i, failures.size() + " violation(s) of what was made durable, after the kill and a remount:\n  "
                        + String.join("\n  ", failures.subList(0, Math.min(30, failures.size()))), killedMount, fsck.output());
            }
            counts.add(these);
            record("== iteration " + i + ": survived; checked " + these.contentChecks + " contents, " + these.entryChecks
                    + " entries, " + these.durableRenames + " durable renames, " + these.atomicityChecks + " exactly-one-name");
            syncEverything(snapshot);
            long t4 = System.nanoTime();
            record(String.format("== iteration %d: fsck %.1f s, mount %.1f s, read back %d files %.1f s, fsync all %.1f s",
                    i, (t1 - t0) / 1e9, (t2 - t1) / 1e9, snapshot.contents().size(), (t3 - t2) / 1e9, (t4 - t3) / 1e9));
            broken.addAll(snapshot.readErrors().keySet());
            model = CrashModel.baseline(snapshot, model.seq, broken);
        }

        /** The end: the remote healthy, every upload and eviction done, every file still byte-exact, a clean unmount. */
        private void finish() {
            record("== finish: tier --once with the remote healthy");
            Shell.Result tier = ZeroMount.cli("tier", "--once", "--config", config.toString(), cache.toString());
            if (tier.exitCode() != 0) {
                finding(kills, "zero-cli tier --once with the remote healthy exited " + tier.exitCode() + " (expected 0); it printed:\n"
                        + tier.output(), mount, null);
            }
            Shell.Result status = ZeroMount.cli("status", "--config", config.toString(), cache.toString());
            assertEquals(0, status.exitCode(), "zero-cli status must exit 0; it printed:\n" + status.output());
            int evicted = TieringRig.filesOnStatusLine(status.output(), "remote only");
            int dirty = TieringRig.filesOnStatusLine(status.output(), "dirty");
            long bytes = model.nodes.values().stream().filter(n -> !n.dir).mapToLong(n -> n.content.length).sum();
            if (bytes > TARGET_GB * 1e9 && evicted == 0) {
                finding(kills, "with " + bytes + " bytes of files over a " + TARGET_GB + " GB target, tier --once evicted no file;"
                        + " status:\n" + status.output(), mount, null);
            }
            if (dirty != 0) {
                finding(kills, dirty + " files still dirty after tier --once with the remote healthy; status:\n" + status.output(), mount, null);
            }
            record("== finish: " + evicted + " files remote-only, reading everything back");

            Snapshot snapshot = snapshot();
            Counts these = new Counts();
            List<String> failures = model.check(snapshot, these, broken, reported);
            if (!failures.isEmpty()) {
                finding(kills, "after tier --once (" + evicted + " files evicted, read back from the remote):\n  "
                        + String.join("\n  ", failures.subList(0, Math.min(30, failures.size()))), mount, null);
            }
            counts.add(these);

            mount.unmount();
            mount.close();
            mount = null;
            Shell.Result fsck = fsck();
            if (fsck.exitCode() != 0) {
                List<String> fresh = new ArrayList<>();
                for (String line : fsck.output().split("\n")) {
                    if (!line.isBlank() && !line.startsWith("fsck: ") && !fsckLinesSeen.contains(line)) {
                        fresh.add(line);
                    }
                }
                if (!fresh.isEmpty()) {
                    System.out.println("CrashLoopTest FINDING " + prefix(kills) + "zero-cli fsck after the final clean unmount"
                            + " found problems not reported after a kill:\n" + fsck.output());
                    findings.add(prefix(kills) + "zero-cli fsck after the final clean unmount, new lines:\n  " + String.join("\n  ", fresh));
                }
            }
            flushLog();
        }

        /** A copy of the metadata store as the kill left it, before fsck or a mount opens it. */
        private void keepCrashState() throws IOException {
            Path copy = work.resolve("meta-as-killed");
            Trees.deleteRecursively(copy);
            Files.createDirectories(copy);
            try (DirectoryStream<Path> files = Files.newDirectoryStream(cache.resolve("meta"))) {
                for (Path file : files) {
                    Files.copy(file, copy.resolve(file.getFileName()));
                }
            }
        }

        /** Saves that copy, and the list of content files, where the logs are; says where. */
        private String saveCrashState(int i) {
            Path target = opsLog.resolveSibling("crashloop-" + name + "-seed" + seed + "-i" + i + "-meta-as-killed");
            try {
                Trees.deleteRecursively(target);
                Files.createDirectories(target);
                try (DirectoryStream<Path> files = Files.newDirectoryStream(work.resolve("meta-as-killed"))) {
                    for (Path file : files) {
                        Files.copy(file, target.resolve(file.getFileName()));
                    }
                }
                return "the metadata store as the kill left it is saved in " + target;
            } catch (IOException e) {
                return "(could not save the metadata store: " + e + ")";
            }
        }

        private Shell.Result fsck() {
            return ZeroMount.cli("fsck", "--config", config.toString(), cache.toString());
        }

        /** A fault on B2's upload calls for this iteration, or none. */
        private String setRandomFault() {
            Fault fault;
            int r = rng.nextInt(100);
            if (r < 20) {
                fault = null;
            } else if (r < 40) {
                fault = Fault.internalError().onPathsContaining("b2_upload");
            } else if (r < 60) {
                fault = Fault.dropConnection().onPathsContaining("b2_upload");
            } else if (r < 85) {
                fault = Fault.slow(200 + rng.nextInt(2800)).onPathsContaining("b2_upload");
            } else {
                fault = Fault.internalError().times(1 + rng.nextInt(3)).onPathsContaining("b2_upload");
            }
            emulator.faults().clear();
            if (fault == null) {
                return ", B2 healthy";
            }
            emulator.faults().add(fault);
            return ", B2 fault " + fault;
        }

        /**
         * Asks the mount for a tiering pass after {@code delay} ms, over its control socket, as
         * {@code zero-cli tier --once} does when the cache is mounted. Not that command itself: its
         * JVM takes most of a second to start, and if it started after the kill it would find the
         * cache unlocked and run the pass on the crashed cache itself, racing fsck and the remount.
         */
        private Thread tierPassLater(long delay, AtomicBoolean killed, String prefix) {
            Path socket = cache.resolve("control.sock");
            return new Thread(() -> {
                try {
                    Thread.sleep(delay);
                    if (killed.get()) {
                        return;
                    }
                    String last = "(no answer)";
                    try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                        log.add(prefix + "tiering pass requested at +" + delay + " ms");
                        channel.write(ByteBuffer.wrap("tier\n".getBytes(StandardCharsets.UTF_8)));
                        BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
                        for (String line = in.readLine(); line != null; line = in.readLine()) {
                            last = line;
                        }
                    }
                    log.add(prefix + "tiering pass requested at +" + delay + " ms ended: " + last);
                } catch (IOException e) {
                    log.add(prefix + "tiering pass requested at +" + delay + " ms: " + e.getMessage() + (killed.get() ? " (mount killed)" : ""));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "crash-tier-pass");
        }

        /** Everything under the mount: entries, types, and each regular file's content, read through the mount. */
        private Snapshot snapshot() {
            long root = Sys.stat(mnt).ino();
            Map<Key, Long> entries = new HashMap<>();
            Map<Long, Boolean> isDir = new TreeMap<>();
            Map<Long, List<Key>> namesOf = new HashMap<>();
            Map<Long, String> dirPaths = new HashMap<>();
            Map<Long, byte[]> contents = new HashMap<>();
            Map<Long, Path> pathOf = new HashMap<>();
            Map<Long, Long> sizes = new HashMap<>();
            dirPaths.put(root, ".");
            isDir.put(root, true);
            Deque<Long> todo = new ArrayDeque<>(List.of(root));
            while (!todo.isEmpty()) {
                long dir = todo.poll();
                Path dirPath = dirPaths.get(dir).equals(".") ? mnt : mnt.resolve(dirPaths.get(dir));
                List<Path> children = new ArrayList<>();
                try (DirectoryStream<Path> stream = Files.newDirectoryStream(dirPath)) {
                    stream.forEach(children::add);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                children.sort(null);
                for (Path child : children) {
                    Stat st = Sys.lstat(child);
                    Key k = new Key(dir, child.getFileName().toString());
                    entries.put(k, st.ino());
                    namesOf.computeIfAbsent(st.ino(), x -> new ArrayList<>()).add(k);
                    if (st.isDirectory()) {
                        isDir.put(st.ino(), true);
                        dirPaths.put(st.ino(), mnt.relativize(child).toString());
                        todo.add(st.ino());
                    } else if (st.isRegularFile()) {
                        isDir.put(st.ino(), false);
                        pathOf.putIfAbsent(st.ino(), child);
                        sizes.putIfAbsent(st.ino(), st.size());
                    } else {
                        throw new AssertionError(child + " is neither a file nor a directory after the crash: mode 0"
                                + Integer.toOctalString(st.mode()));
                    }
                }
            }
            Map<Long, String> readErrors = new HashMap<>();
            pathOf.forEach((ino, path) -> {
                try {
                    contents.put(ino, Sys.readFile(path));
                } catch (ErrnoException e) {
                    contents.put(ino, null);
                    readErrors.put(ino, e.getMessage());
                }
            });
            return new Snapshot(root, entries, isDir, namesOf, dirPaths, contents, sizes, readErrors);
        }

        /** fsync of every file and directory, so that all that survived is durable before the next workload. */
        private void syncEverything(Snapshot s) {
            Map<Long, Boolean> done = new HashMap<>();
            s.names().forEach((ino, keys) -> {
                if (!s.isDir().get(ino) && s.contents().get(ino) != null && done.putIfAbsent(ino, true) == null) {
                    try (Fd fd = Sys.open(mnt.resolve(s.path(keys.get(0))), Sys.O_RDONLY)) {
                        fd.fsync();
                    }
                }
            });
            s.dirPaths().values().forEach(p -> Sys.fsyncDirectory(p.equals(".") ? mnt : mnt.resolve(p)));
        }

        private String prefix(int iteration) {
            return "[" + name + ", seed " + seed + ", " + (iteration < kills ? "iteration " + iteration + " of " + kills
                    : "after " + kills + " kills") + "] ";
        }

        private void record(String line) {
            log.add(line);
        }

        private final List<String> written = new ArrayList<>();

        private void flushLog() {
            List<String> lines;
            synchronized (log) {
                lines = new ArrayList<>(log);
                log.clear();
            }
            written.addAll(lines);
            try {
                Files.write(opsLog, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            running.set(true);
            try {
                if (emulator != null) {
                    emulator.faults().clear();
                }
                if (mount != null) {
                    mount.close();
                }
            } finally {
                if (emulator != null) {
                    emulator.close();
                }
                boolean keep = failed && Boolean.getBoolean("zero.crash.keep");
                if (keep) {
                    System.out.println("CrashLoopTest[" + name + "]: kept " + work);
                } else if (!ZeroMount.isMounted(mnt)) {
                    Trees.deleteRecursively(work);
                }
            }
        }
    }
}
