package dev.zero.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Zero only: {@code zero-cli b2-emulator} takes its application key from a file or from the
 * environment, so that the key need not be on the command line, where {@code ps} shows it to
 * every user. A client that presents that key is authorized, one with another key is not.
 */
class B2EmulatorKeyTest {
    private static final String KEY = "key-kept-off-the-command-line";
    private static final String VARIABLE = "ZERO_B2_EMULATOR_KEY";

    private Path work;
    private Process emulator;

    @BeforeEach
    void requireTheJar() throws IOException {
        Assumptions.assumeTrue(ZeroMount.jarAvailable(), "no zero-cli jar at " + ZeroMount.jar() + " (build the cli module first)");
        work = Files.createTempDirectory("zero-emulator-key-");
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (emulator != null) {
            emulator.destroy();
            if (!emulator.waitFor(30, TimeUnit.SECONDS)) {
                emulator.destroyForcibly();
                emulator.waitFor();
            }
        }
        Trees.deleteRecursively(work);
    }

    @Test
    void theKeyComesFromAFile() throws Exception {
        Path keyFile = Files.writeString(work.resolve("key"), KEY + "\n");
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));

        String url = start(Map.of(), "--key-file", keyFile.toString());

        assertEquals(200, authorize(url, KEY), "b2_authorize_account with the key in the file");
        assertEquals(401, authorize(url, "another-key"), "b2_authorize_account with another key");
    }

    @Test
    void theKeyComesFromTheEnvironment() throws Exception {
        String url = start(Map.of(VARIABLE, KEY));

        assertEquals(200, authorize(url, KEY), "b2_authorize_account with the key in " + VARIABLE);
        assertEquals(401, authorize(url, "another-key"), "b2_authorize_account with another key");
    }

    @Test
    void withoutAKeyItSaysWhereToPutOne() {
        Shell.Result result = Shell.run(null, Map.of(), emulatorCommand());

        assertEquals(3, result.exitCode(), result.output());
        assertTrue(result.output().contains("--key-file") && result.output().contains(VARIABLE), result.output());
    }

    private List<String> emulatorCommand(String... keyOptions) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", ZeroMount.jar().toString(),
                "b2-emulator", "--listen", "127.0.0.1:0", "--data", work.resolve("data").toString(),
                "--key-id", TieringRig.KEY_ID, "--bucket-id", TieringRig.BUCKET));
        command.addAll(List.of(keyOptions));
        return command;
    }

    /** Starts the emulator and returns the URL it prints first. */
    private String start(Map<String, String> environment, String... keyOptions) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(emulatorCommand(keyOptions)).redirectError(work.resolve("stderr").toFile());
        builder.environment().remove(VARIABLE);
        builder.environment().putAll(environment);
        emulator = builder.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(emulator.getInputStream(), StandardCharsets.UTF_8));
        String url = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                return null;
            }
        }).get(30, TimeUnit.SECONDS);
        assertTrue(url != null && url.startsWith("http://"), "zero-cli b2-emulator printed no URL; stderr:\n"
                + Files.readString(work.resolve("stderr")));
        return url;
    }

    private static int authorize(String url, String key) throws Exception {
        String basic = Base64.getEncoder().encodeToString((TieringRig.KEY_ID + ":" + key).getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/b2api/v2/b2_authorize_account"))
                .header("Authorization", "Basic " + basic).GET().build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
