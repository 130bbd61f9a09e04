package dev.zero.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Zero only: a cache on a disk smaller than the files it holds (a 100 MiB tmpfs, the remote
 * elsewhere). Reading evicted files one after another, faster than tiering passes come, must
 * recall each of them: a recall that finds the disk full evicts clean, closed content first (and
 * the partial content of recalls nobody reads on), and a read fails only when nothing can be
 * evicted. And tiering keeps minFreeDiskSpace free on the cache disk even when the target would
 * allow more. Needs root (mount -t tmpfs); skipped otherwise.
 */
class SmallCacheDiskTest {
    private static final int DISK_MIB = 100;
    private static final int FILE_SIZE = 16 << 20;
    private static final int FILES = 8;

    private SmallDisk small;
    private Path work;
    private Path disk;
    private ZeroMount mount;

    @BeforeEach
    void mountASmallTmpfs() throws IOException {
        Assumptions.assumeTrue(ZeroMount.jarAvailable(), "no zero-cli jar at " + ZeroMount.jar() + " (build the cli module first)");
        small = SmallDisk.mount("small-disk", DISK_MIB);
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
    void readingMoreEvictedFilesThanTheDiskHoldsRecallsEachOfThem() throws IOException {
        List<byte[]> contents = mountAndEvictEach();

        // 8 x 16 MiB read back to back: twice what the disk can hold, within one tiering interval.
        for (int i = 0; i < FILES; i++) {
            assertArrayEquals(contents.get(i), readUncached("chunk" + i + ".bin"),
                    "chunk" + i + ".bin read back on a full cache disk; zero-cli output:\n" + mount.logTail());
        }
    }

    @Test
    void theHalfRecalledContentOfFilesNobodyReadsOnMakesRoomToo() throws IOException {
        List<byte[]> contents = mountAndEvictEach();
        // The second half of seven evicted files: 56 MiB recalled, the first halves holes that
        // no reader will fill, since the readers are gone.
        for (int i = 0; i < FILES - 1; i++) {
            Path chunk = mount.mountpoint().resolve("chunk" + i + ".bin");
            try (Fd fd = Sys.open(chunk, Sys.O_RDONLY)) {
                fd.dropCachedPages();
                int half = FILE_SIZE / 2;
                assertArrayEquals(Arrays.copyOfRange(contents.get(i), half, FILE_SIZE), fd.pread(half, half), "second half of chunk" + i);
            }
        }

        // More than the disk has free once the one clean file is gone: the half-recalled files go too.
        byte[] big = Data.random(200, 3 * FILE_SIZE);
        Sys.writeFile(mount.mountpoint().resolve("big.bin"), big);

        assertArrayEquals(big, readUncached("big.bin"), "big.bin; zero-cli output:\n" + mount.logTail());
        for (int i = 0; i < FILES; i++) {
            assertArrayEquals(contents.get(i), readUncached("chunk" + i + ".bin"), "chunk" + i + ".bin; zero-cli output:\n" + mount.logTail());
        }
    }

    @Test
    void tieringKeepsTheMinimumFreeSpaceEvenUnderTheTarget() throws IOException {
        Path config = config("targetDiskUsage: 10\nminFreeDiskSpace: 0.01\n"); // a target far above the disk
        Path cache = disk.resolve("cache");
        mount = ZeroMount.start(work.resolve("mnt"), cache, config);
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            contents.add(Data.random(i, FILE_SIZE));
            Sys.writeFile(mount.mountpoint().resolve("chunk" + i + ".bin"), contents.get(i));
        }
        tierOnce(config, cache); // uploads: the files are clean now, and all local
        // Something else on the cache disk takes what is left but 4 MiB.
        try (RandomAccessFile filler = new RandomAccessFile(disk.resolve("someone-elses-file").toFile(), "rw")) {
            filler.setLength(0);
            byte[] block = new byte[1 << 20];
            while (Files.getFileStore(disk).getUsableSpace() > (5 << 20)) {
                filler.write(block);
            }
        }
        tierOnce(config, cache);
        long free = Files.getFileStore(disk).getUsableSpace();
        assertTrue(free >= 10_000_000, "tiering must evict until minFreeDiskSpace (10 MB) is free; " + free + " bytes are free");
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(contents.get(i), Sys.readFile(mount.mountpoint().resolve("chunk" + i + ".bin")), "chunk" + i);
        }
    }

    /**
     * Reads a file with the kernel's cached pages of it dropped first: an evicted file keeps its
     * pages in the page cache (its bytes are the same), and this test is about its recall.
     */
    private byte[] readUncached(String name) {
        Path file = mount.mountpoint().resolve(name);
        Sys.dropPageCache(file);
        return Sys.readFile(file);
    }

    private Path config(String settings) throws IOException {
        Path config = work.resolve("config.yml");
        Files.writeString(config, "remoteDirectory: " + work.resolve("remote") + "\nuploadDelaySeconds: 0\n" + settings);
        return config;
    }

    /**
     * Mounts with a target far under one file, then writes each file and tiers, so each is
     * uploaded and evicted before the next.
     */
    private List<byte[]> mountAndEvictEach() throws IOException {
        Path config = config("targetDiskUsage: 0.02\n");
        Path cache = disk.resolve("cache");
        mount = ZeroMount.start(work.resolve("mnt"), cache, config);
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < FILES; i++) {
            contents.add(Data.random(100 + i, FILE_SIZE));
            Sys.writeFile(mount.mountpoint().resolve("chunk" + i + ".bin"), contents.get(i));
            tierOnce(config, cache);
        }
        tierOnce(config, cache);
        return contents;
    }

    private void tierOnce(Path config, Path cache) {
        Shell.Result tier = ZeroMount.cli("tier", "--once", "--config", config.toString(), cache.toString());
        assertEquals(0, tier.exitCode() == 1 && tier.output().contains("dirty or open") ? 0 : tier.exitCode(),
                "zero-cli tier --once: " + tier.output());
    }
}
