package dev.zero.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Zero only: what {@code zero-cli mount} says when it cannot mount, and what it does with the
 * dead mount a kill -9 leaves ("Transport endpoint is not connected"): it clears it itself.
 */
class MountFailuresTest {
    private Path work;
    private ZeroMount mount;

    @BeforeEach
    void setUp() throws IOException {
        Assumptions.assumeTrue(ZeroMount.jarAvailable(), "no zero-cli jar at " + ZeroMount.jar() + " (build the cli module first)");
        work = Files.createTempDirectory("zero-mount-failures-");
    }

    @AfterEach
    void cleanUp() {
        if (mount != null) {
            mount.close();
        }
        Trees.deleteRecursively(work);
    }

    @Test
    void theNextMountClearsTheDeadMountOfAKilledOne() throws IOException {
        Path mnt = work.resolve("mnt");
        Path cache = work.resolve("cache");
        mount = ZeroMount.start(mnt, cache);
        Sys.writeFile(mnt.resolve("kept"), "fsynced before the kill");
        try (Fd fd = Sys.open(mnt.resolve("kept"), Sys.O_RDWR)) {
            fd.fsync();
        }
        mount.kill9LeavingTheMount();
        // The lookup of a new name always asks the process; a stat or an open of the directory
        // may be answered from the kernel's cache.
        ErrnoException dead = assertThrows(ErrnoException.class, () -> Sys.lstat(mnt.resolve("never-looked-up")));
        assertEquals(jnr.constants.platform.Errno.ENOTCONN.intValue(), dead.errno(), "a killed mount: " + dead.getMessage());

        mount = ZeroMount.startOverDeadMount(mnt, cache, cache.resolveSibling(cache.getFileName() + "-config.yml"));
        assertEquals("fsynced before the kill", Sys.readString(mnt.resolve("kept")));
        assertTrue(mount.logTail().contains("cleared the dead Zero mount on " + mnt), mount.logTail());
    }

    @Test
    void aUserWhoMayNotUseDevFuseGetsOneSentenceAndExitCode5() throws IOException {
        Assumptions.assumeTrue(BackupRig.isRoot(), "needs root to run as another user");
        Assumptions.assumeFalse(Shell.asNobody("test -r /dev/fuse -a -w /dev/fuse").exitCode() == 0,
                "/dev/fuse is open to every user here");
        Path mnt = Files.createDirectories(work.resolve("mnt"));
        Path cache = Files.createDirectories(work.resolve("cache"));
        Shell.run(null, "chown", "-R", Shell.NOBODY + ":" + Shell.NOBODY, work.toString());
        Shell.run(null, "chmod", "755", work.toString());
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Shell.Result result = Shell.asNobody("HOME=\"$4\" \"$1\" -jar \"$2\" mount \"$3\" \"$4\"", java, ZeroMount.jar(), mnt, cache);
        assertEquals(5, result.exitCode(), result.output());
        assertTrue(result.output().contains("may not use /dev/fuse") && result.output().contains("chmod 0666 /dev/fuse"), result.output());
        assertFalse(result.output().contains("\tat "), "no stack trace: " + result.output());
    }
}
