package dev.zero.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zero.b2emulator.B2Emulator;
import dev.zero.b2emulator.EmulatorConfig;
import dev.zero.b2emulator.Fault;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Zero only: what the mount logs, and where. It says at start which remote it uses and where it
 * logs (a file in the cache directory, owner-only); --log-level debug adds uploads with paths;
 * a failure that repeats at every pass is one warning, not one per pass.
 */
class LoggingTest {
    private Path work;
    private B2Emulator emulator;
    private ZeroMount mount;

    @BeforeEach
    void setUp() throws IOException {
        Assumptions.assumeTrue(ZeroMount.jarAvailable(), "no zero-cli jar at " + ZeroMount.jar() + " (build the cli module first)");
        work = Files.createTempDirectory("zero-logging-");
        emulator = B2Emulator.start(EmulatorConfig.of(work.resolve("b2-data"), TieringRig.KEY_ID, TieringRig.KEY, TieringRig.BUCKET));
    }

    @AfterEach
    void cleanUp() {
        if (mount != null) {
            mount.close();
        }
        emulator.close();
        Trees.deleteRecursively(work);
    }

    @Test
    void theMountLogsToItsCacheWithUploadsAtDebugAndEachFailureOnce() throws IOException {
        Path config = work.resolve("config.yml");
        Files.writeString(config, "accountId: " + TieringRig.KEY_ID + "\napplicationKey: " + TieringRig.KEY + "\nbucketId: "
                + TieringRig.BUCKET + "\nb2Url: " + emulator.url() + "\n");
        Path cache = work.resolve("cache");
        mount = ZeroMount.start(work.resolve("mnt"), cache, config, "--log-level", "debug");
        Path log = cache.resolve("zero.log.0");
        assertTrue(mount.logTail().contains("remote: B2 bucket " + TieringRig.BUCKET + ", filesystem 'zero'; log: " + log), mount.logTail());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(log)));

        Sys.mkdir(mount.mountpoint().resolve("docs"));
        Sys.writeFile(mount.mountpoint().resolve("docs/report.pdf"), Data.random(1, 100_000));
        tierOnce(config, cache);
        assertTrue(Files.readString(log).contains("uploaded docs/report.pdf"), "an upload is logged at debug with its path");

        emulator.faults().add(Fault.serviceUnavailable(0).onPathsContaining("b2_upload"));
        Sys.writeFile(mount.mountpoint().resolve("docs/later.pdf"), Data.random(2, 100_000));
        for (int i = 0; i < 3; i++) {
            tierOnce(config, cache);
        }
        long warnings = Files.readString(log).lines().filter(line -> line.contains("WARNING upload of docs/later.pdf failed")).count();
        assertEquals(1, warnings, "a failure that repeats is logged once:\n" + Files.readString(log));
    }

    private static void tierOnce(Path config, Path cache) {
        ZeroMount.cli("tier", "--once", "--config", config.toString(), cache.toString());
    }
}
