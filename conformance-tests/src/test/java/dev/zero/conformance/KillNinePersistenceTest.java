package dev.zero.conformance;

import static dev.zero.conformance.ErrnoAssertions.assertErrno;
import static dev.zero.conformance.Sys.O_CREAT;
import static dev.zero.conformance.Sys.O_RDWR;
import static dev.zero.conformance.Sys.O_TRUNC;
import static dev.zero.conformance.Sys.O_WRONLY;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import jnr.constants.platform.Errno;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Zero only: what a program made durable with fsync (of the files, and of their directory for
 * new names) survives a SIGKILL of the mount process, and the filesystem mounts again on the same
 * cache directory without any repair step.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KillNinePersistenceTest {
    private static final int SMALL_FILES = 50;
    private static final int BIG_SIZE = 5 * 1024 * 1024 + 3;

    private Path work;
    private ZeroMount mount;
    private Path durable;
    /** What the killed mount left in /tmp (the mount's java.io.tmpdir) that was not there before it. */
    private List<String> leftInTmp;

    @BeforeAll
    void writeAndFsyncThenKillAndMountAgain() throws IOException {
        Assumptions.assumeTrue(ZeroMount.jarAvailable(), "no zero-cli jar at " + ZeroMount.jar() + " (build the cli module first)");
        work = Files.createTempDirectory("zero-conformance-kill9-");
        Path mnt = work.resolve("mnt");
        Path cache = work.resolve("cache");
        List<String> tmpBefore = tmpEntries();
        mount = ZeroMount.start(mnt, cache);
        durable = Sys.mkdir(mnt.resolve("durable"));

        for (int i = 0; i < SMALL_FILES; i++) {
            writeAndFsync(durable.resolve("small-" + i), Data.pattern(i * 1000L, 100 + i * 37));
        }
        writeAndFsync(durable.resolve("big"), Data.pattern(0, BIG_SIZE));
        writeAndFsync(durable.resolve("temp"), "renamed into place".getBytes());
        Sys.rename(durable.resolve("temp"), durable.resolve("renamed"));
        Sys.link(durable.resolve("big"), durable.resolve("big-link"));
        Sys.chmod(durable.resolve("small-0"), 0600);
        try (Fd fd = Sys.open(durable.resolve("small-0"), O_RDWR)) {
            fd.fsync();
        }
        Sys.fsyncDirectory(durable);

        mount.kill9();
        mount.close();
        leftInTmp = tmpEntries();
        leftInTmp.removeAll(tmpBefore);
        mount = ZeroMount.start(mnt, cache);
    }

    private List<String> tmpEntries() throws IOException {
        try (var entries = Files.list(Path.of("/tmp"))) {
            return new ArrayList<>(entries.filter(entry -> !entry.equals(work)).map(entry -> entry.getFileName().toString()).toList());
        }
    }

    private static void writeAndFsync(Path file, byte[] content) {
        try (Fd fd = Sys.open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644)) {
            fd.write(content);
            fd.fsync();
        }
    }

    @AfterAll
    void unmountAndCleanUp() {
        if (mount == null) {
            return;
        }
        try {
            mount.unmount();
        } finally {
            mount.close();
            if (!ZeroMount.isMounted(mount.mountpoint())) {
                Trees.deleteRecursively(work);
            }
        }
    }

    @Test
    void theKilledMountLeftNothingInTmp() {
        assertEquals(List.of(), leftInTmp, "files a SIGKILL of the mount left behind in /tmp");
    }

    @Test
    void fsyncedFilesAreByteExact() {
        for (int i = 0; i < SMALL_FILES; i++) {
            assertArrayEquals(Data.pattern(i * 1000L, 100 + i * 37), Sys.readFile(durable.resolve("small-" + i)),
                    "content of fsynced file small-" + i + " after kill -9");
        }
        assertArrayEquals(Data.pattern(0, BIG_SIZE), Sys.readFile(durable.resolve("big")), "content of the fsynced 5 MiB file after kill -9");
    }

    @Test
    void fsyncedDirectoryHasExactlyItsEntries() {
        List<String> expected = new ArrayList<>(IntStream.range(0, SMALL_FILES).mapToObj(i -> "small-" + i).toList());
        expected.addAll(List.of("big", "big-link", "renamed"));
        expected.sort(null);

        assertEquals(expected, Trees.names(durable), "entries of the fsynced directory after kill -9");
    }

    @Test
    void renameMadeDurableByDirectoryFsyncIsKept() {
        assertEquals("renamed into place", Sys.readString(durable.resolve("renamed")), "content under the new name");
        assertErrno(Errno.ENOENT, () -> Sys.stat(durable.resolve("temp")), "stat of the old name");
    }

    @Test
    void hardLinkMadeDurableByDirectoryFsyncIsKept() {
        Stat big = Sys.stat(durable.resolve("big"));
        Stat link = Sys.stat(durable.resolve("big-link"));
        assertEquals(big.ino(), link.ino(), "both names must share st_ino after kill -9");
        assertEquals(2, big.nlink(), "st_nlink of the linked file after kill -9");
    }

    @Test
    void modeMadeDurableByFileFsyncIsKept() {
        assertEquals(0600, Sys.stat(durable.resolve("small-0")).permissions(), "mode set by chmod before fsync");
    }

    @Test
    void filesystemIsUsableAfterTheCrash() {
        Path dir = Sys.mkdir(durable.getParent().resolve("after-crash"));
        Path file = dir.resolve("new");

        Sys.writeFile(file, Data.pattern(0, 200_000));
        assertArrayEquals(Data.pattern(0, 200_000), Sys.readFile(file), "a file written after the crash and remount");
        Sys.unlink(file);
        Sys.rmdir(dir);
    }
}
