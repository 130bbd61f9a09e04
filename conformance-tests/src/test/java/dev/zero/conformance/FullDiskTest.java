package dev.zero.conformance;

import static dev.zero.conformance.ErrnoAssertions.assertErrno;
import static dev.zero.conformance.Sys.O_CREAT;
import static dev.zero.conformance.Sys.O_TRUNC;
import static dev.zero.conformance.Sys.O_WRONLY;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jnr.constants.platform.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Zero only: the cache directory on a disk that fills up, a 40 MiB tmpfs. Zero keeps
 * min(64 MiB, a tenth of the disk) free for its metadata, so a write that would eat into that
 * fails with ENOSPC, and so does a create once less than that is free; what was written before
 * stays byte-exact, deleting a file makes room again without a remount, and the filesystem
 * unmounts cleanly and passes fsck. Needs root (mount -t tmpfs); skipped otherwise.
 */
class FullDiskTest {
    private static final int DISK_MIB = 40;
    private static final int FILE_SIZE = 10 << 20;
    private static final int CHUNK = 1 << 20;

    private SmallDisk small;
    private Path work;
    private Path disk;
    private ZeroMount mount;

    @BeforeEach
    void mountASmallTmpfs() throws IOException {
        Assumptions.assumeTrue(ZeroMount.jarAvailable(), "no zero-cli jar at " + ZeroMount.jar() + " (build the cli module first)");
        small = SmallDisk.mount("full-disk", DISK_MIB);
        work = small.work();
        disk = small.disk();
    }

    @AfterEach
    void cleanUp() {
        try {
            if (mount != null) {
                mount.close();
            }
        } finally {
            if (small != null) {
                small.close();
            }
        }
    }

    @Test
    void aFullCacheDiskFailsWritesAndCreatesWithEnospcAndRecoversWhenSpaceIsFreed() throws IOException {
        Path cache = disk.resolve("cache");
        Path config = work.resolve("config.yml");
        // Nothing is uploaded or evicted during the test, and the remote is not on the small disk.
        Files.writeString(config, "remoteDirectory: " + work.resolve("remote") + "\nuploadDelaySeconds: 3600\n"
                + "backupIntervalSeconds: 3600\ntargetDiskUsage: 10\n");
        mount = ZeroMount.start(work.resolve("full-disk-mnt"), cache, config);
        Path mnt = mount.mountpoint();
        long total = Files.getFileStore(disk).getTotalSpace();
        long reserve = Math.min(64L << 20, total / 10);

        // Fill the disk through the mount, 10 MiB files in 1 MiB writes, until a write fails.
        List<Path> full = new ArrayList<>();
        Path partial = null;
        long partialSize = -1;
        ErrnoException failure = null;
        for (int i = 0; failure == null && i < DISK_MIB / 10 + 2; i++) {
            Path file = mnt.resolve("file-" + i);
            byte[] content = content(i);
            try (Fd fd = Sys.open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644)) {
                for (int offset = 0; offset < FILE_SIZE; offset += CHUNK) {
                    try {
                        fd.write(Arrays.copyOfRange(content, offset, offset + CHUNK));
                    } catch (ErrnoException e) {
                        failure = e;
                        partial = file;
                        partialSize = fd.stat().size();
                        break;
                    }
                }
            }
            if (failure == null) {
                full.add(file);
            }
        }
        assertNotNull(failure, "writing " + (DISK_MIB / 10 + 2) * 10 + " MiB to a cache on a " + DISK_MIB + " MiB disk never failed;"
                + " zero-cli output:\n" + mount.logTail());
        assertEquals(Errno.ENOSPC.intValue(), failure.errno(), "the write that found the disk full: " + failure.getMessage());
        assertTrue(full.size() >= 2, "files written whole before the disk was full: " + full.size());
        long free = Files.getFileStore(disk).getUsableSpace();
        assertTrue(free >= reserve, "Zero must stop writing content while min(64 MiB, 10% of the disk) = " + reserve
                + " bytes are still free for its metadata; " + free + " bytes are free");

        // What was written before is intact, the file being written when the disk filled up included.
        for (Path file : full) {
            assertArrayEquals(content(full.indexOf(file)), Sys.readFile(file), "content of " + file.getFileName() + ", written before the disk filled up");
        }
        assertEquals(partialSize, Sys.stat(partial).size(), "size of the file whose write failed: what was written before the failure");
        assertArrayEquals(Arrays.copyOf(content(full.size()), (int) partialSize), Sys.readFile(partial),
                "content of the file whose write failed, up to where it failed");

        // Something else on the disk takes what is left, so less than the reserve is free: creates fail too.
        fillDiskLeaving(disk.resolve("someone-elses-file"), 1 << 20);
        assertTrue(Files.getFileStore(disk).getUsableSpace() < reserve, "the filler must leave less than the reserve free");
        assertErrno(Errno.ENOSPC, () -> Sys.open(mnt.resolve("created-on-a-full-disk"), O_WRONLY | O_CREAT, 0644),
                "create with less than min(64 MiB, 10% of the disk) free");
        assertErrno(Errno.ENOSPC, () -> Sys.mkdir(mnt.resolve("dir-made-on-a-full-disk")),
                "mkdir with less than min(64 MiB, 10% of the disk) free");
        try (Fd fd = Sys.open(partial, O_WRONLY | Sys.O_APPEND)) {
            assertErrno(Errno.ENOSPC, () -> fd.write(new byte[4096]), "a 4 KiB append with less than the reserve free");
        }

        // The other file goes: the disk is as full as Zero alone made it. Deleting a 10 MiB file
        // makes room for a 5 MiB one at once, without a remount, as a script that frees space
        // and goes on expects.
        Files.delete(disk.resolve("someone-elses-file"));
        Sys.unlink(full.get(0));
        Path after = mnt.resolve("written-after-the-delete");
        byte[] afterContent = Data.random(77, 5 << 20);
        String notAtOnce = null;
        try {
            Sys.writeFile(after, afterContent);
        } catch (ErrnoException e) {
            long freeRightAfter = Files.getFileStore(disk).getUsableSpace();
            long waited = awaitFree(reserve + afterContent.length + (1 << 20), 3000);
            notAtOnce = "right after unlink of a 10 MiB file returned, creating and writing a 5 MiB file failed: "
                    + e.getMessage() + "; the disk had " + freeRightAfter + " bytes free then (reserve " + reserve + "), and "
                    + (waited < 0 ? "the 10 MiB were still not freed 3 s later" : "the 10 MiB were freed " + waited
                    + " ms later: the unlink frees the content only at the next group commit");
            Sys.writeFile(after, afterContent);
        }
        assertArrayEquals(afterContent, Sys.readFile(after), "a 5 MiB file written once a 10 MiB one was deleted");
        Sys.touch(mnt.resolve("created-after-the-delete"));
        for (Path file : full.subList(1, full.size())) {
            assertArrayEquals(content(full.indexOf(file)), Sys.readFile(file), "content of " + file.getFileName() + " at the end");
        }

        mount.unmount();
        Shell.Result fsck = ZeroMount.cli("fsck", "--config", config.toString(), cache.toString());
        assertEquals(0, fsck.exitCode(), "fsck of the cache that filled up must find no problem; it printed:\n" + fsck.output());
        if (notAtOnce != null) {
            fail(notAtOnce);
        }
    }

    /** Waits until {@code bytes} are free on the disk; returns how long that took in ms, or -1 after {@code timeoutMillis}. */
    private long awaitFree(long bytes, long timeoutMillis) throws IOException {
        long start = System.nanoTime();
        while (Files.getFileStore(disk).getUsableSpace() < bytes) {
            if (System.nanoTime() - start > timeoutMillis * 1_000_000) {
                return -1;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static byte[] content(int i) {
        return Data.random(1000 + i, FILE_SIZE);
    }

    /** Writes a file directly on the disk (not through Zero) until {@code leave} bytes are free. */
    private static void fillDiskLeaving(Path file, long leave) {
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocate(64 << 10);
            long toWrite = Files.getFileStore(file.getParent()).getUsableSpace() - leave;
            for (long written = 0; written < toWrite; ) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), toWrite - written));
                written += out.write(zeros);
            }
            out.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
