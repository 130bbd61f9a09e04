package dev.zero.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zero.b2emulator.B2Emulator;
import dev.zero.b2emulator.EmulatorConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Zero only, against the B2 emulator: a wrong application key or bucket id stops the mount with
 * one sentence and exit code 3 before anything is mounted; an unreachable B2 does not stop it
 * (local files work) and says so in one warning line.
 */
class CredentialsAtMountTest {
    private Path work;
    private B2Emulator emulator;
    private ZeroMount mount;

    @BeforeEach
    void setUp() throws IOException {
        Assumptions.assumeTrue(ZeroMount.jarAvailable(), "no zero-cli jar at " + ZeroMount.jar() + " (build the cli module first)");
        work = Files.createTempDirectory("zero-credentials-");
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
    void aWrongApplicationKeyStopsTheMountBeforeItMounts() throws IOException {
        Shell.Result result = mountWith(TieringRig.KEY_ID, "not-the-key", TieringRig.BUCKET, emulator.url());
        assertEquals(3, result.exitCode(), result.output());
        assertTrue(result.output().contains("check accountId and applicationKey in config.yml"), result.output());
        assertFalse(ZeroMount.isMounted(work.resolve("mnt")));
    }

    @Test
    void aWrongBucketIdStopsTheMountBeforeItMounts() throws IOException {
        Shell.Result result = mountWith(TieringRig.KEY_ID, TieringRig.KEY, "no-such-bucket", emulator.url());
        assertEquals(3, result.exitCode(), result.output());
        assertTrue(result.output().contains("check bucketId in config.yml"), result.output());
        assertFalse(ZeroMount.isMounted(work.resolve("mnt")));
    }

    @Test
    void anUnreachableB2MountsAnywayWithOneWarning() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        mount = ZeroMount.start(work.resolve("mnt"), work.resolve("cache"),
                config(TieringRig.KEY_ID, TieringRig.KEY, TieringRig.BUCKET, "http://127.0.0.1:" + closedPort));
        Sys.writeFile(mount.mountpoint().resolve("local"), "works");
        assertEquals("works", Sys.readString(mount.mountpoint().resolve("local")));
        assertEquals(1, mount.logTail().lines().filter(line -> line.startsWith("zero: warning: the remote")).count(), mount.logTail());
    }

    private Shell.Result mountWith(String keyId, String key, String bucket, String url) throws IOException {
        Path mnt = Files.createDirectories(work.resolve("mnt"));
        return ZeroMount.cli("mount", "--config", config(keyId, key, bucket, url).toString(), mnt.toString(), work.resolve("cache").toString());
    }

    private Path config(String keyId, String key, String bucket, String url) throws IOException {
        Path config = work.resolve("config.yml");
        Files.writeString(config, "accountId: " + keyId + "\napplicationKey: " + key + "\nbucketId: " + bucket + "\nb2Url: " + url + "\n");
        Files.setPosixFilePermissions(config, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        return config;
    }
}
