package dev.zero.b2emulator;

import com.backblaze.b2.client.B2StorageClient;
import com.backblaze.b2.client.structures.B2FileVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * rclone (Debian's package), unchanged, works against the emulator with a {@code type = b2}
 * remote whose {@code endpoint} is the emulator's URL: authorize, list buckets and files, upload a
 * small and a large file, download a range, hide and delete. Skipped where rclone is not installed.
 */
class RcloneTest {
    private static final long PART_SIZE = 5_000_000;
    private static final String REMOTE = "emulator:" + Sdk.BUCKET_ID;

    @TempDir
    Path work;

    private B2Emulator emulator;
    private Path config;

    @BeforeEach
    void start() throws IOException {
        assumeTrue(Subprocess.succeeds(work, List.of("rclone", "version")),
                "rclone is not installed (Debian package rclone)");
        emulator = B2Emulator.start(EmulatorConfig.of(Files.createDirectory(work.resolve("data")),
                Sdk.KEY_ID, Sdk.KEY, Sdk.BUCKET_ID).withPartSizes(PART_SIZE, PART_SIZE));
        config = Files.writeString(work.resolve("rclone.conf"), String.join("\n",
                "[emulator]",
                "type = b2",
                "account = " + Sdk.KEY_ID,
                "key = " + Sdk.KEY,
                "endpoint = " + emulator.url(),
                ""));
    }

    @AfterEach
    void stop() {
        if (emulator != null) {
            emulator.close();
        }
    }

    @Test
    void bucketsAreListed() throws Exception {
        assertEquals(List.of(Sdk.BUCKET_ID + "/"), words(rclone("lsf", "--dirs-only", "emulator:")));
    }

    @Test
    void uploadedFilesAreListedWithTheirShaOnesAndReadBack() throws Exception {
        byte[] small = Sdk.randomBytes(10_000, 70);
        byte[] large = Sdk.randomBytes(12_000_000, 71);
        Path smallFile = Files.write(work.resolve("small.bin"), small);
        Path largeFile = Files.write(work.resolve("large.bin"), large);

        rclone("copyto", smallFile.toString(), REMOTE + "/docs/small.bin");
        rclone("copyto", "--b2-upload-cutoff", "5M", "--b2-chunk-size", "5M",
                largeFile.toString(), REMOTE + "/docs/large.bin");

        assertTrue(emulator.stats().count("b2_upload_part") >= 2, "the large file went up in parts: "
                + emulator.stats().snapshot());
        assertEquals(List.of("docs/large.bin;12000000", "docs/small.bin;10000"),
                words(rclone("lsf", "-R", "--files-only", "--format", "ps", REMOTE)));
        assertEquals(Map.of("docs/large.bin", Sdk.sha1(large), "docs/small.bin", Sdk.sha1(small)),
                sha1sByName(rclone("sha1sum", REMOTE)));
        Path copy = work.resolve("copy.bin");
        rclone("copyto", REMOTE + "/docs/large.bin", copy.toString());
        assertArrayEquals(large, Files.readAllBytes(copy));
    }

    @Test
    void aRangeIsDownloaded() throws Exception {
        byte[] large = Sdk.randomBytes(12_000_000, 72);
        try (B2StorageClient client = Sdk.client(emulator)) {
            Sdk.upload(client, "docs/large.bin", large);
        }

        byte[] range = rcloneBytes("cat", "--offset", "4999000", "--count", "2000", REMOTE + "/docs/large.bin");

        assertArrayEquals(Arrays.copyOfRange(large, 4_999_000, 5_001_000), range);
        assertEquals(1, emulator.stats().count("b2_download_file_by_id") + emulator.stats().count("b2_download_file_by_name"),
                "one download: " + emulator.stats().snapshot());
    }

    @Test
    void deleteHidesAndHardDeleteRemovesTheVersion() throws Exception {
        try (B2StorageClient client = Sdk.client(emulator)) {
            Sdk.upload(client, "docs/hidden.bin", new byte[] {1});
            Sdk.upload(client, "docs/deleted.bin", new byte[] {2});

            rclone("deletefile", REMOTE + "/docs/hidden.bin");
            rclone("deletefile", "--b2-hard-delete", REMOTE + "/docs/deleted.bin");

            assertEquals(List.of(), words(rclone("lsf", "-R", "--files-only", REMOTE)));
            assertEquals(List.of("docs/hidden.bin:hide", "docs/hidden.bin:upload"), versions(client));
        }
    }

    private List<String> versions(B2StorageClient client) throws Exception {
        List<String> versions = new ArrayList<>();
        for (B2FileVersion version : client.fileVersions(Sdk.BUCKET_ID)) {
            versions.add(version.getFileName() + ":" + version.getAction());
        }
        return versions;
    }

    /** sha1sum prints a "SHA1  NAME" line for each file. */
    private static Map<String, String> sha1sByName(String output) {
        Map<String, String> sha1s = new HashMap<>();
        output.lines().map(line -> line.split("\\s+", 2)).forEach(fields -> sha1s.put(fields[1], fields[0]));
        return sha1s;
    }

    private String rclone(String... args) throws Exception {
        return new String(rcloneBytes(args), StandardCharsets.UTF_8);
    }

    /** Fails fast instead of retrying for minutes: a failure here is the emulator's, not the network's. */
    private byte[] rcloneBytes(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("rclone", "--config", config.toString(),
                "--retries", "1", "--low-level-retries", "1"));
        command.addAll(List.of(args));
        return Subprocess.run(work, Duration.ofMinutes(1), command).requireSuccess(String.join(" ", command)).stdout();
    }

    private static List<String> words(String output) {
        return Stream.of(output.trim().split("\\s+")).filter(word -> !word.isEmpty()).toList();
    }
}
