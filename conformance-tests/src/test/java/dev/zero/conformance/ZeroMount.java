package dev.zero.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * One {@code zero-cli mount} process. {@link #start} returns once the mountpoint shows in
 * /proc/self/mountinfo; {@link #unmount} is the clean way out and checks the exit code;
 * {@link #kill9} simulates a crash; {@link #close} always leaves the machine clean (nothing
 * mounted, no process left) and never throws, so use it in finally blocks and try-with-resources.
 *
 * <p>The jar is {@code zero.cli.jar} (set by the pom to ../cli/target/zero-cli.jar); the process's
 * output goes to a log file in {@code zero.log.dir}, and the tail of that log is in every failure
 * message.
 */
public final class ZeroMount implements AutoCloseable {
    private static final Duration MOUNT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);
    /**
     * With {@code zero.io.uring=true} (set by the pom for one execution) every mount takes its
     * requests over FUSE over io_uring: the fuse module offers it only while its enable_uring is
     * Y, so that is turned on for the test JVM's life and restored when it exits.
     */
    private static final boolean OVER_IO_URING = Boolean.getBoolean("zero.io.uring");
    private static final Path ENABLE_URING = Path.of("/sys/module/fuse/parameters/enable_uring");
    private static final String ON_THE_RINGS = "FUSE requests over io_uring";
    private static boolean uringEnabled;

    private final Path mountpoint;
    private final Path log;
    private final Process process;
    private final Thread cleanupOnJvmExit;

    private ZeroMount(Path mountpoint, Path log, Process process) {
        this.mountpoint = mountpoint;
        this.log = log;
        this.process = process;
        this.cleanupOnJvmExit = new Thread(this::close, "unmount " + mountpoint);
        Runtime.getRuntime().addShutdownHook(cleanupOnJvmExit);
    }

    public static Path jar() {
        return Path.of(System.getProperty("zero.cli.jar", "../cli/target/zero-cli.jar")).toAbsolutePath().normalize();
    }

    public static boolean jarAvailable() {
        return Files.isRegularFile(jar());
    }

    /**
     * Mounts Zero at {@code mountpoint} (created if missing) with its cache in {@code cache}, with
     * an empty config file (all defaults), and waits until the mount is there.
     */
    public static ZeroMount start(Path mountpoint, Path cache) throws IOException {
        Path config = cache.resolveSibling(cache.getFileName() + "-config.yml");
        Files.write(config, new byte[0]);
        return start(mountpoint, cache, config);
    }

    /**
     * Mounts Zero at {@code mountpoint} (created if missing) with its cache in {@code cache} and
     * the settings in {@code config}, and waits until the mount is there.
     */
    public static ZeroMount start(Path mountpoint, Path cache, Path config, String... options) throws IOException {
        Path mnt = mountpoint.toAbsolutePath().normalize();
        if (isMounted(mnt)) {
            throw new IllegalStateException(mnt + " is already a mountpoint; a previous run left it behind");
        }
        Files.createDirectories(mnt);
        return launch(mnt, cache, config, options);
    }

    /** Like {@link #start}, on a mountpoint where a killed mount is left: Zero must clear it itself. */
    public static ZeroMount startOverDeadMount(Path mountpoint, Path cache, Path config) throws IOException {
        return launch(mountpoint.toAbsolutePath().normalize(), cache, config);
    }

    private static ZeroMount launch(Path mnt, Path cache, Path config, String... options) throws IOException {
        if (OVER_IO_URING) {
            enableUringForThisJvm();
        }
        Files.createDirectories(cache);
        Path logDir = Files.createDirectories(Path.of(System.getProperty("zero.log.dir", System.getProperty("java.io.tmpdir"))));
        Path log = Files.createTempFile(logDir, "mount-" + mnt.getFileName() + "-", ".log");

        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar().toString(), "mount", "--config", config.toString()));
        command.addAll(List.of(options));
        command.addAll(optionsForEveryMount());
        command.addAll(List.of(mnt.toString(), cache.toAbsolutePath().toString()));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        ZeroMount mount = new ZeroMount(mnt, log, process);
        try {
            mount.awaitMounted();
            if (OVER_IO_URING && !mount.log().contains(ON_THE_RINGS)) {
                throw new AssertionError("the mount did not take its requests over io_uring; its output:\n" + mount.logTail());
            }
        } catch (RuntimeException | Error e) {
            mount.close();
            throw e;
        }
        return mount;
    }

    private static synchronized void enableUringForThisJvm() throws IOException {
        if (uringEnabled) {
            return;
        }
        Assumptions.assumeTrue(Files.isWritable(ENABLE_URING),
                "FUSE over io_uring needs root and a kernel with it (" + ENABLE_URING + ")");
        String before = Files.readString(ENABLE_URING).trim();
        Files.writeString(ENABLE_URING, "Y");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.writeString(ENABLE_URING, before);
            } catch (IOException e) {
                System.err.println("could not restore " + ENABLE_URING + " to " + before + ": " + e.getMessage());
            }
        }, "restore enable_uring"));
        uringEnabled = true;
    }

    /**
     * Runs {@code zero-cli args...} (not a mount: a command that ends by itself) and returns its exit
     * code and its output, stdout and stderr merged.
     */
    public static Shell.Result cli(String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar().toString()));
        command.addAll(List.of(args));
        return Shell.run(null, Map.of(), command);
    }

    /** Until the mountpoint is a mount that answers: a dead mount left there does not count. */
    private void awaitMounted() {
        long deadline = System.nanoTime() + MOUNT_TIMEOUT.toNanos();
        while (!isServed(mountpoint)) {
            if (!process.isAlive()) {
                throw new AssertionError("zero-cli exited with code " + process.exitValue()
                        + " before " + mountpoint + " was mounted; its output:\n" + logTail());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(mountpoint + " was not mounted within " + MOUNT_TIMEOUT.toSeconds()
                        + " s; zero-cli output:\n" + logTail());
            }
            sleep(20);
        }
    }

    /**
     * Whether a live process answers on the mount. The open directory must lie on another
     * filesystem than its parent: while a dead mount is cleared and the new one is not yet in
     * place, the open reaches the bare directory beneath. Then the lookup of a name never asked
     * for must reach the process: a stat, or an open of the directory, may be answered from the
     * kernel's cache even on a dead mount being replaced.
     */
    private static boolean isServed(Path mountpoint) {
        try (Fd root = Sys.open(mountpoint, Sys.O_RDONLY | Sys.O_DIRECTORY)) {
            if (root.stat().sameDevice(Sys.stat(mountpoint.getParent()))) {
                return false;
            }
        } catch (ErrnoException e) {
            return false;
        }
        try {
            Sys.lstat(mountpoint.resolve(".served-probe-" + System.nanoTime()));
            return true;
        } catch (ErrnoException e) {
            return e.errno() == jnr.constants.platform.Errno.ENOENT.intValue();
        }
    }

    public Path mountpoint() {
        return mountpoint;
    }

    /** The mount process's id, for reading its CPU time from /proc. */
    public long pid() {
        return process.pid();
    }

    /** fusermount -u, then waits for the process and asserts that it exited with code 0. */
    public void unmount() {
        Shell.Result result = Shell.run(null, "fusermount", "-u", mountpoint.toString());
        if (result.exitCode() != 0) {
            throw new AssertionError("fusermount -u " + mountpoint + " failed (a descriptor or working directory"
                    + " left open in the mount?): " + result.output());
        }
        int exit = awaitExit();
        if (exit != 0) {
            throw new AssertionError("zero-cli exited with code " + exit + " after a clean unmount; its output:\n" + logTail());
        }
    }

    /** SIGKILL to the process, leaving its dead mount behind, as a crash does. */
    public void kill9LeavingTheMount() {
        process.destroyForcibly();
        awaitExit();
    }

    /** SIGKILL to the process, then {@code fusermount -u -z} to clear the dead mount. */
    public void kill9() {
        process.destroyForcibly();
        awaitExit();
        Shell.Result result = Shell.run(null, "fusermount", "-u", "-z", mountpoint.toString());
        if (result.exitCode() != 0 || isMounted(mountpoint)) {
            throw new AssertionError("could not clear the dead mount at " + mountpoint + ": " + result.output());
        }
    }

    private int awaitExit() {
        try {
            if (!process.waitFor(EXIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("zero-cli (mounted at " + mountpoint + ") did not exit within "
                        + EXIT_TIMEOUT.toSeconds() + " s; its output:\n" + logTail());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for zero-cli to exit", e);
        }
    }

    /** Unmounts (lazily if it must) and kills the process by PID if it is still there. Never throws. */
    @Override
    public void close() {
        try {
            boolean unmounted = isMounted(mountpoint)
                    && Shell.run(null, "fusermount", "-u", mountpoint.toString()).exitCode() == 0;
            boolean exited = !process.isAlive()
                    || (unmounted && process.waitFor(EXIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
            if (!exited) {
                process.destroyForcibly();
                process.waitFor(EXIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
            if (isMounted(mountpoint)) {
                Shell.run(null, "fusermount", "-u", "-z", mountpoint.toString());
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            process.destroyForcibly();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupOnJvmExit);
        } catch (IllegalStateException shutdownInProgress) {
            // Called from the hook itself.
        }
    }

    /**
     * Options the build adds to every mount: the pom runs the file I/O tests a second time with
     * {@code zero.mount.options=--no-passthrough}, so both data paths are tested.
     */
    private static List<String> optionsForEveryMount() {
        String options = System.getProperty("zero.mount.options", "").trim();
        return options.isEmpty() ? List.of() : List.of(options.split("\\s+"));
    }

    /** The mount process's whole output so far. */
    public String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last lines of the mount process's output, and where the whole log is. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()))
                    + "\n(full log: " + log + ")";
        } catch (IOException | UncheckedIOException e) {
            return "(could not read " + log + ": " + e + ")";
        }
    }

    /** True if {@code dir} is a mountpoint in this process's mount namespace. */
    public static boolean isMounted(Path dir) {
        String wanted = dir.toAbsolutePath().normalize().toString();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String mountPoint = line.split(" ")[4];
                if (unescapeOctal(mountPoint).equals(wanted)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** mountinfo writes space, tab, newline and backslash as \ooo. */
    private static String unescapeOctal(String field) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
