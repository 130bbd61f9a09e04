package dev.zero.b2emulator;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One run of another program, as a user runs it from a shell: its exit code and output. The
 * output goes to files, so a program that writes much cannot block on a full pipe.
 */
record Subprocess(int exitCode, byte[] stdout, String stderr) {

    /** Runs {@code command} in {@code dir}; one still running after {@code limit} is killed and fails the test. */
    static Subprocess run(Path dir, Duration limit, List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "stdout", ".txt");
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        Process process = new ProcessBuilder(command).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError(command + " still ran after " + limit + "; it wrote: "
                    + Files.readString(err, StandardCharsets.UTF_8));
        }
        return new Subprocess(process.exitValue(), Files.readAllBytes(out), Files.readString(err, StandardCharsets.UTF_8));
    }

    /** Whether {@code command} runs and exits 0, e.g. to find out if a tool is installed. */
    static boolean succeeds(Path dir, List<String> command) {
        try {
            return run(dir, Duration.ofSeconds(30), command).exitCode() == 0;
        } catch (IOException e) {
            return false; // no such program
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    String stdoutText() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    /** This run, or an AssertionError with what the program said if it failed. */
    Subprocess requireSuccess(String what) {
        if (exitCode != 0) {
            throw new AssertionError(what + " exited with " + exitCode + ":\n" + stderr + "\n" + stdoutText());
        }
        return this;
    }
}
