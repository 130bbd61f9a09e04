package dev.zero.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A bounded fsstress: {@code workers} processes, each doing {@code opsPerWorker} seeded random
 * operations ({@link FsstressWorker.Op}) in a directory of its own under {@code dir} and checking
 * every read against what it wrote. Reports each operation's latency and the wall time from the
 * first worker's first operation to the last one's last.
 *
 * <p>Workers are separate JVMs, as fsstress -p forks processes: the filesystem sees distinct
 * pids and open files, and one worker's garbage collection never stalls the others or shows as
 * a slow filesystem call. Each waits for a common start time once its JVM is up, so JVM start-up
 * is not timed.
 *
 * <p>From the command line, on any directory (a mount of Zero, bindfs, or the bare disk), after
 * {@code mvn -B -q -o -pl conformance-tests -am test-compile} (the cli jar brings jnr, the libc binding):
 * <pre>
 * java -cp conformance-tests/target/test-classes:cli/target/zero-cli.jar dev.zero.conformance.Fsstress \
 *     [--workers 4] [--ops 2000] [--seed 1] [--time-limit 600] [--daemon-pid PID] EMPTY_DIR
 * </pre>
 * {@code --daemon-pid} also reports the CPU time that process (a FUSE daemon) used per operation.
 * Exit code 1 if a read did not match what was written or an operation failed.
 *
 * <p>Each worker writes its results to a file of lines {@code ops N}, {@code start EPOCH_MS},
 * {@code end EPOCH_MS}, {@code op NAME NANOS NANOS ...} and at most one {@code failure TEXT}.
 */
public final class Fsstress {
    /** JVM start-up and the model's check of a 1 MiB file come on top of the time limit. */
    private static final Duration GRACE = Duration.ofSeconds(60);
    /** Long enough for a few JVMs to start together on a busy 2-core machine. */
    private static final long START_DELAY_MS = 3000;

    record Options(int workers, int opsPerWorker, long seed, Duration timeLimit) {}

    /** What a run did: every worker's latencies merged, and the failures of those that failed. */
    record Result(Options options, Duration wall, long ops, Map<String, Latencies> byOp, Latencies all, List<String> failures) {
        long opsPlanned() {
            return (long) options.workers() * options.opsPerWorker();
        }

        boolean finished() {
            return ops == opsPlanned();
        }

        /** The operation that waited longest, and how long. */
        String slowest() {
            return byOp.entrySet().stream().max(Map.Entry.comparingByValue((a, b) -> Long.compare(a.max(), b.max())))
                    .map(e -> e.getKey() + " took " + Latencies.millis(e.getValue().max()) + " ms").orElse("no operation");
        }

        String report() {
            StringBuilder out = new StringBuilder(String.format("%-10s %7s %10s %10s %10s%n", "op", "count", "median ms", "p99 ms", "max ms"));
            byOp.forEach((op, l) -> out.append(row(op, l)));
            out.append(row("all", all));
            out.append(String.format("wall %.2f s: %d of %d operations by %d workers (seed %d)%s%n", wall.toMillis() / 1e3,
                    ops, opsPlanned(), options.workers(), options.seed(), finished() ? "" : ", stopped at the time limit of "
                            + options.timeLimit().toSeconds() + " s"));
            failures.forEach(failure -> out.append("FAILED: ").append(failure).append('\n'));
            return out.toString();
        }

        private static String row(String op, Latencies l) {
            return String.format("%-10s %7d %10s %10s %10s%n", op, l.count(), Latencies.millis(l.median()),
                    Latencies.millis(l.p99()), Latencies.millis(l.max()));
        }
    }

    private Fsstress() {}

    /** Runs the workers in {@code dir} (which must exist) and waits for all of them. */
    static Result run(Path dir, Options options) throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("fsstress-");
        try {
            long startAt = System.currentTimeMillis() + START_DELAY_MS;
            long deadline = startAt + options.timeLimit().toMillis();
            List<Process> workers = new ArrayList<>();
            for (int i = 0; i < options.workers(); i++) {
                workers.add(launch(dir.resolve("w" + i), options.seed() + i, options.opsPerWorker(), startAt, deadline, work, i));
            }
            for (Process worker : workers) {
                if (!worker.waitFor(deadline - System.currentTimeMillis() + GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    worker.destroyForcibly().waitFor();
                }
            }
            return collect(options, work);
        } finally {
            Trees.deleteRecursively(work);
        }
    }

    private static Process launch(Path root, long seed, int ops, long startAt, long deadline, Path work, int i) throws IOException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // Two cores are shared with the filesystem under test: one GC thread and no
                // optimizing compiler keep the workers' own CPU use small.
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), FsstressWorker.class.getName(),
                root.toString(), String.valueOf(seed), String.valueOf(ops), String.valueOf(startAt), String.valueOf(deadline),
                work.resolve("results-" + i).toString());
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(work.resolve("output-" + i).toFile()).start();
    }

    private static Result collect(Options options, Path work) throws IOException {
        Map<String, List<long[]>> nanos = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        long ops = 0;
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        for (int i = 0; i < options.workers(); i++) {
            List<String> lines;
            try {
                lines = Files.readAllLines(work.resolve("results-" + i));
            } catch (NoSuchFileException e) {
                failures.add("worker w" + i + " wrote no results; its output:\n" + Files.readString(work.resolve("output-" + i)));
                continue;
            }
            for (String line : lines) {
                String[] words = line.split(" ", 2);
                switch (words[0]) {
                    case "ops" -> ops += Long.parseLong(words[1]);
                    case "start" -> start = Math.min(start, Long.parseLong(words[1]));
                    case "end" -> end = Math.max(end, Long.parseLong(words[1]));
                    case "failure" -> failures.add(words[1]);
                    case "op" -> {
                        String[] fields = words[1].split(" ");
                        long[] values = Arrays.stream(fields, 1, fields.length).mapToLong(Long::parseLong).toArray();
                        nanos.computeIfAbsent(fields[0], op -> new ArrayList<>()).add(values);
                    }
                    default -> throw new IllegalStateException("unexpected line in worker w" + i + "'s results: " + line);
                }
            }
        }
        Map<String, Latencies> byOp = new TreeMap<>();
        nanos.forEach((op, parts) -> byOp.put(op, Latencies.of(concat(parts))));
        Latencies all = Latencies.of(concat(nanos.values().stream().flatMap(List::stream).toList()));
        Duration wall = Duration.ofMillis(end == Long.MIN_VALUE ? 0 : end - start);
        return new Result(options, wall, ops, byOp, all, failures);
    }

    private static long[] concat(List<long[]> parts) {
        return parts.stream().flatMapToLong(Arrays::stream).toArray();
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        int workers = 4;
        int ops = 2000;
        long seed = 1;
        Duration timeLimit = Duration.ofMinutes(10);
        long daemonPid = -1;
        Path dir = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--workers" -> workers = Integer.parseInt(args[++i]);
                case "--ops" -> ops = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--time-limit" -> timeLimit = Duration.ofSeconds(Long.parseLong(args[++i]));
                case "--daemon-pid" -> daemonPid = Long.parseLong(args[++i]);
                default -> dir = Path.of(args[i]);
            }
        }
        if (dir == null || !Files.isDirectory(dir)) {
            System.err.println("usage: Fsstress [--workers N] [--ops N] [--seed N] [--time-limit SECONDS] [--daemon-pid PID] DIR");
            System.exit(2);
        }
        Duration cpuBefore = daemonPid < 0 ? Duration.ZERO : ProcessCpu.of(daemonPid);
        Result result = run(dir, new Options(workers, ops, seed, timeLimit));
        System.out.print(result.report());
        if (daemonPid >= 0) {
            Duration cpu = ProcessCpu.of(daemonPid).minus(cpuBefore);
            System.out.printf("daemon %d: %.2f s of CPU, %.1f us per operation%n", daemonPid, cpu.toMillis() / 1e3,
                    cpu.toNanos() / 1e3 / Math.max(1, result.ops()));
        }
        System.exit(result.failures().isEmpty() ? 0 : 1);
    }
}
