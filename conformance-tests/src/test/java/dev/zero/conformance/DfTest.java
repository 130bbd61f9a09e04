package dev.zero.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Zero only: df on the mount shows the filesystem the user has, not the cache disk: its size is
 * the configured capacity, and used is what the files hold, local or not.
 */
class DfTest {
    private Path work;
    private ZeroMount mount;

    @BeforeEach
    void setUp() throws IOException {
        Assumptions.assumeTrue(ZeroMount.jarAvailable(), "no zero-cli jar at " + ZeroMount.jar() + " (build the cli module first)");
        work = Files.createTempDirectory("zero-df-");
    }

    @AfterEach
    void cleanUp() {
        if (mount != null) {
            mount.close();
        }
        Trees.deleteRecursively(work);
    }

    @Test
    void dfShowsTheCapacityAndTheBytesTheFilesHold() throws IOException {
        Path config = work.resolve("config.yml");
        Files.writeString(config, "capacity: 2\nremoteDirectory: " + work.resolve("remote") + "\n");
        mount = ZeroMount.start(work.resolve("mnt"), work.resolve("cache"), config);
        Sys.writeFile(mount.mountpoint().resolve("ten-mb"), Data.random(1, 10_000_000));
        Sys.touch(mount.mountpoint().resolve("sparse"));
        Sys.truncate(mount.mountpoint().resolve("sparse"), 5_000_000); // a size without local blocks still counts
        sleep(1100); // df's sum is kept for a second

        Shell.Result df = Shell.run(null, "df", "-B1", "--output=size,used", mount.mountpoint().toString());
        assertEquals(0, df.exitCode(), df.output());
        List<String> numbers = List.of(df.output().lines().toList().get(1).trim().split("\\s+"));
        long size = Long.parseLong(numbers.get(0));
        long used = Long.parseLong(numbers.get(1));
        assertTrue(Math.abs(size - 2_000_000_000L) < 4096, "df size: the configured 2 GB, not the cache disk: " + df.output());
        assertTrue(Math.abs(used - 15_000_000L) < 3 * 4096, "df used: the 15 MB the files hold: " + df.output());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
