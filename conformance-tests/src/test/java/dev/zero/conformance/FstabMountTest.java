package dev.zero.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Zero only, as root: "mount -t fuse.zero", what an /etc/fstab line runs, with the helper
 * installed as the README says (a link /sbin/mount.fuse.zero to contrib/mount.fuse.zero).
 */
class FstabMountTest {
    private static final Path HELPER = Path.of("/sbin/mount.fuse.zero");
    private Path work;
    private Path mnt;
    private boolean installedHelper;

    @BeforeEach
    void installTheHelper() throws IOException {
        Assumptions.assumeTrue(ZeroMount.jarAvailable(), "no zero-cli jar at " + ZeroMount.jar() + " (build the cli module first)");
        Assumptions.assumeTrue(BackupRig.isRoot(), "mount(8) with a helper in /sbin needs root");
        work = Files.createTempDirectory("zero-fstab-");
        if (!Files.exists(HELPER, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(HELPER, Path.of("..", "contrib", "mount.fuse.zero").toAbsolutePath().normalize());
            installedHelper = true;
        }
        Assumptions.assumeTrue(Files.isExecutable(HELPER), HELPER + " is not Zero's helper");
    }

    @AfterEach
    void cleanUp() throws IOException {
        if (mnt != null && ZeroMount.isMounted(mnt)) {
            Shell.run(null, "fusermount", "-u", "-z", mnt.toString());
        }
        if (installedHelper) {
            Files.deleteIfExists(HELPER);
        }
        Trees.deleteRecursively(work);
    }

    @Test
    void mountTypeFuseZeroMountsAndUmountEndsIt() throws IOException, InterruptedException {
        Path cli = work.resolve("zero-cli");
        Files.writeString(cli, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java") + "' -jar '" + ZeroMount.jar() + "' \"$@\"\n");
        Files.setPosixFilePermissions(cli, PosixFilePermissions.fromString("rwx------"));
        Path config = work.resolve("config.yml");
        Files.writeString(config, "remoteDirectory: " + work.resolve("remote") + "\n");
        Path cache = work.resolve("cache");
        mnt = Files.createDirectories(work.resolve("mnt"));

        Shell.Result mount = Shell.run(null, java.util.Map.of("ZERO_CLI", cli.toString()),
                java.util.List.of("mount", "-t", "fuse.zero", "-o", "config=" + config, cache.toString(), mnt.toString()));
        assertEquals(0, mount.exitCode(), mount.output());
        assertTrue(ZeroMount.isMounted(mnt));
        Sys.writeFile(mnt.resolve("file"), "through fstab");
        assertEquals("through fstab", Sys.readString(mnt.resolve("file")));

        Shell.Result umount = Shell.run(null, "umount", mnt.toString());
        assertEquals(0, umount.exitCode(), umount.output());
        for (int i = 0; i < 100 && Files.exists(work.resolve("cache/lock")) && Shell.run(null, "fuser", work.resolve("cache/lock").toString()).exitCode() == 0; i++) {
            Thread.sleep(100);
        }
        assertTrue(Files.readString(work.resolve("cache.log")).contains("zero: unmounted " + mnt), "the mount process ended cleanly");
    }
}
