package dev.zero.b2emulator;

import com.backblaze.b2.client.B2StorageClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Backblaze's Python b2sdk (Debian's python3-b2sdk), unchanged, works against the emulator:
 * authorize, list buckets and files, upload a small and a large file, download a range, hide and
 * delete. Skipped where the package is not installed.
 */
class PythonB2sdkTest {
    /** Announced as the recommended part size, so 12 MB is a large file of several parts. */
    private static final long PART_SIZE = 5_000_000;
    private static final int RANGE_FIRST = 1000;
    private static final int RANGE_LAST = 5_999_999;

    @TempDir
    Path work;

    private B2Emulator emulator;

    @BeforeEach
    void start() throws IOException {
        emulator = B2Emulator.start(EmulatorConfig.of(Files.createDirectory(work.resolve("data")),
                Sdk.KEY_ID, Sdk.KEY, Sdk.BUCKET_ID).withPartSizes(PART_SIZE, PART_SIZE));
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    @Test
    void aSessionOfThePythonSdkDoesWhatItAsks() throws Exception {
        String python = pythonWithB2sdk();
        Path script = work.resolve("b2sdk_session.py");
        try (InputStream in = PythonB2sdkTest.class.getResourceAsStream("b2sdk_session.py")) {
            Files.copy(in, script);
        }
        byte[] small = Sdk.randomBytes(10_000, 60);
        byte[] large = Sdk.randomBytes(12_000_000, 61);
        Files.write(work.resolve("small.bin"), small);
        Files.write(work.resolve("large.bin"), large);

        Subprocess session = Subprocess.run(work, Duration.ofMinutes(2), List.of(python, script.toString(),
                emulator.url(), Sdk.KEY_ID, Sdk.KEY, Sdk.BUCKET_ID, work.toString())).requireSuccess("b2sdk session");

        List<String> lines = session.stdoutText().lines().toList();
        assertEquals(List.of(
                "buckets: " + Sdk.BUCKET_ID,
                "uploaded: docs/large.bin:upload,docs/small.bin:upload",
                "hidden: docs/large.bin:upload",
                "deleted: ",
                "versions: docs/small.bin:hide,docs/small.bin:upload"), lines, session.stderr());
        assertArrayEquals(Arrays.copyOfRange(large, RANGE_FIRST, RANGE_LAST + 1),
                Files.readAllBytes(work.resolve("range.bin")), "the downloaded range");
        assertTrue(emulator.stats().count("b2_upload_part") >= 2, "the large file went up in parts: "
                + emulator.stats().snapshot());
        try (B2StorageClient client = Sdk.client(emulator)) {
            assertArrayEquals(small, Sdk.downloadById(client, Sdk.versionId(client, "docs/small.bin", "upload")),
                    "the hidden small file's bytes, as uploaded");
        }
    }

    /** Debian's package installs for Debian's python3, which need not be the first on PATH. */
    private String pythonWithB2sdk() {
        String found = Stream.of("/usr/bin/python3", "python3")
                .filter(python -> Subprocess.succeeds(work, List.of(python, "-c", "import b2sdk.v2")))
                .findFirst().orElse(null);
        assumeTrue(found != null, "Backblaze's Python b2sdk is not installed (Debian package python3-b2sdk)");
        return found;
    }
}
