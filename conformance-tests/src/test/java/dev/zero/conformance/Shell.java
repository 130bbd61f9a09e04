package dev.zero.conformance;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs external programs, as root or as user nobody, and captures their output. */
public final class Shell {
    public static final int NOBODY = 65534;
    private static final long TIMEOUT_SECONDS = 180;

    /** Exit code and stdout and stderr merged. */
    public record Result(int exitCode, String output) {}

    private Shell() {}

    public static Result run(Path workingDir, String... command) {
        return run(workingDir, Map.of(), List.of(command));
    }

    public static Result run(Path workingDir, Map<String, String> extraEnv, List<String> command) {
        Path output = null;
        try {
            output = Files.createTempFile("zero-conformance-cmd-", ".out");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            if (workingDir != null) {
                builder.directory(workingDir.toFile());
            }
            builder.environment().putAll(extraEnv);
            Process process = builder.start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
                throw new AssertionError(String.join(" ", command) + " did not finish within " + TIMEOUT_SECONDS + " s");
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + command, e);
        } finally {
            if (output != null) {
                output.toFile().delete();
            }
        }
    }

    /**
     * Runs {@code sh -c script} as uid/gid 65534 (nobody) with no supplementary groups; the
     * paths are the script's $1, $2, ...
     */
    public static Result asNobody(String script, Path... args) {
        List<String> command = new ArrayList<>(List.of(
                "setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "sh", "-c", script, "sh"));
        for (Path arg : args) {
            command.add(arg.toString());
        }
        return run(Path.of("/"), Map.of(), command);
    }

    /** True if {@code program} is an executable on the PATH. */
    public static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
