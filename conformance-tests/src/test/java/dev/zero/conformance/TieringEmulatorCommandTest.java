package dev.zero.conformance;

import static dev.zero.conformance.TieringRig.assertReadBackByteExact;
import static dev.zero.conformance.TieringRig.filesOnStatusLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Zero only: {@code zero-cli b2-emulator} as its own process, as a user runs it to try Zero's B2
 * tiering without an account: it prints its URL, a mount configured with that URL tiers to it,
 * and SIGTERM stops it.
 */
class TieringEmulatorCommandTest {
    private static final Duration STARTUP = Duration.ofSeconds(30);
    private static final int FILE_SIZE = 1 << 20;

    private Path work;
    private Process emulator;
    private String url;
    private TieringRig rig;

    @BeforeEach
    void startTheEmulatorCommand() throws IOException, InterruptedException {
        Assumptions.assumeTrue(ZeroMount.jarAvailable(), "no zero-cli jar at " + ZeroMount.jar() + " (build the cli module first)");
        work = Files.createTempDirectory("zero-tiering-emulator-command-");
        emulator = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", ZeroMount.jar().toString(),
                        "b2-emulator", "--listen", "127.0.0.1:0", "--data", work.resolve("data").toString(),
                        "--key-id", TieringRig.KEY_ID, "--key", TieringRig.KEY, "--bucket-id", TieringRig.BUCKET)
                .redirectError(work.resolve("stderr").toFile())
                .start();
        url = firstLineOfOutput();
    }

    private String firstLineOfOutput() throws IOException, InterruptedException {
        BufferedReader out = new BufferedReader(new InputStreamReader(emulator.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        try {
            String first = line.get(STARTUP.toSeconds(), TimeUnit.SECONDS);
            if (first == null) {
                throw new AssertionError("zero-cli b2-emulator printed nothing before its output ended; stderr:\n" + stderr());
            }
            return first;
        } catch (TimeoutException e) {
            throw new AssertionError("zero-cli b2-emulator printed no line within " + STARTUP.toSeconds() + " s; stderr:\n" + stderr());
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        }
    }

    private String stderr() throws IOException {
        return Files.readString(work.resolve("stderr"), StandardCharsets.UTF_8);
    }

    @AfterEach
    void stopEverything() throws InterruptedException {
        try {
            if (rig != null) {
                rig.close();
            }
        } finally {
            emulator.destroy();
            if (!emulator.waitFor(STARTUP.toSeconds(), TimeUnit.SECONDS)) {
                emulator.destroyForcibly();
                emulator.waitFor();
            }
            Trees.deleteRecursively(work);
        }
    }

    @Test
    void aMountConfiguredWithThePrintedUrlTiersToItAndReadsBack(TestInfo test) throws IOException {
        assertTrue(url.matches("http://127\\.0\\.0\\.1:[1-9][0-9]*"), "the first line must be the emulator's URL, not: " + url);
        // 0.5 MB, less than one file: every file uploaded is evicted.
        rig = TieringRig.withEmulatorAt(test.getTestMethod().orElseThrow().getName(), url, work.resolve("data"), 0.0005);
        rig.mount();
        Map<Path, byte[]> files = rig.writeFiles("file", 3, FILE_SIZE);

        rig.assertTierOnceSucceeds();

        String status = rig.assertStatus();
        assertEquals(3, filesOnStatusLine(status, "remote only"), "files evicted to the emulator:\n" + status);
        files.forEach((file, content) -> assertEquals(List.of(Trees.sha256(content)), rig.remoteObjectHashes(file),
                "SHA-256 of the emulator's objects for " + file.getFileName()));
        assertReadBackByteExact(files);
    }

    @Test
    void sigtermStopsItWithExitCodeZero() throws InterruptedException, IOException {
        emulator.destroy();

        assertTrue(emulator.waitFor(STARTUP.toSeconds(), TimeUnit.SECONDS), "zero-cli b2-emulator still runs "
                + STARTUP.toSeconds() + " s after SIGTERM");
        assertEquals(0, emulator.exitValue(), "exit code of zero-cli b2-emulator after SIGTERM; stderr:\n" + stderr());
    }
}
