package dev.zero.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zero.b2emulator.Fault;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * B2 bills downloads and list calls, and every call adds latency: a real mount on the B2 emulator
 * reads a large evicted file back in a handful of downloads, resumes a download cut mid-stream,
 * and makes no call at all while idle. Figures (calls, time to first byte) are printed for the
 * record. {@code -Dzero.sparing.mib=1024} reads a 1 GiB file instead of 256 MiB.
 */
class B2SparingTest {
    private static final int LARGE_MIB = Integer.getInteger("zero.sparing.mib", 256);
    private static final int MIB = 1 << 20;
    /** Downloads a cold sequential read may take: one stream, and slack for a resumed or restarted one. */
    private static final int MAX_DOWNLOADS_FOR_A_SEQUENTIAL_READ = 3;
    /** 0.5 MB: every uploaded file is evicted by the next pass, and nothing is prefetched. */
    private static final double TINY_TARGET_GB = 0.0005;

    private TieringRig rig;

    @BeforeEach
    void needsTheJar() {
        Assumptions.assumeTrue(ZeroMount.jarAvailable(), "no zero-cli jar at " + ZeroMount.jar() + " (build the cli module first)");
    }

    @AfterEach
    void cleanUp() {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void aColdSequentialReadOfALargeEvictedFileTakesAFewDownloadsAndReadsBackByteExact(TestInfo test) throws Exception {
        rig = TieringRig.withEmulator(name(test), TINY_TARGET_GB);
        Path mnt = rig.mount();
        Path file = mnt.resolve("large");
        String written = writeRandom(file, LARGE_MIB, 1);
        rig.assertTierOnceSucceeds();
        assertEquals(1, TieringRig.filesOnStatusLine(rig.assertStatus(), "remote only"), "the large file is evicted");
        rig.unmount();

        rig.mount();
        long authorizedAtMount = rig.emulator().stats().count("b2_authorize_account");
        rig.emulator().stats().reset();
        long freshFirstByte = firstByteNanos(file);
        String read = sha256Of(file);
        Map<String, Long> freshCalls = rig.emulator().stats().snapshot();
        long freshDownloads = rig.downloads();

        rig.assertTierOnceSucceeds(); // evicts it again, on the running mount
        Sys.dropPageCache(file); // else the kernel serves what the first read left in it
        rig.emulator().stats().reset();
        long runningFirstByte = firstByteNanos(file);
        String readAgain = sha256Of(file);
        long runningDownloads = rig.downloads();

        System.out.printf("B2SparingTest: cold sequential read of %d MiB, fresh mount: %d downloads, first byte %.1f ms, calls %s%n",
                LARGE_MIB, freshDownloads, freshFirstByte / 1e6, freshCalls);
        System.out.printf("B2SparingTest: cold sequential read of %d MiB, running mount: %d downloads, first byte %.1f ms%n",
                LARGE_MIB, runningDownloads, runningFirstByte / 1e6);
        assertTrue(authorizedAtMount >= 1, "the fresh mount logged in to B2 before the first read");
        assertEquals(written, read, "SHA-256 of the large file read back on the fresh mount");
        assertEquals(written, readAgain, "SHA-256 of the large file read back on the running mount");
        assertTrue(freshDownloads >= 1 && freshDownloads <= MAX_DOWNLOADS_FOR_A_SEQUENTIAL_READ, "a cold read of "
                + LARGE_MIB + " MiB must take at most " + MAX_DOWNLOADS_FOR_A_SEQUENTIAL_READ + " download calls, took " + freshDownloads);
        assertTrue(runningDownloads >= 1 && runningDownloads <= MAX_DOWNLOADS_FOR_A_SEQUENTIAL_READ, "the same on a running mount: "
                + runningDownloads + " download calls");
    }

    @Test
    void aDownloadCutMidStreamIsResumedAndTheFileReadsBackByteExact(TestInfo test) throws Exception {
        rig = TieringRig.withEmulator(name(test), TINY_TARGET_GB);
        Path file = rig.mount().resolve("cut");
        String written = writeRandom(file, 64, 2);
        rig.assertTierOnceSucceeds();
        rig.emulator().stats().reset();
        rig.emulator().faults().add(Fault.cutDownload().times(1).onPathsContaining("/file/"));

        String read = sha256Of(file);

        System.out.println("B2SparingTest: a 64 MiB read cut once took " + rig.downloads() + " downloads");
        assertEquals(written, read, "SHA-256 of the file whose download was cut, read back");
        assertEquals(2, rig.downloads(), "the cut download and one for the rest");
    }

    @Test
    void anIdleMountReadingLocalFilesMakesNoCallsOverSeveralBackupIntervals(TestInfo test) throws Exception {
        rig = TieringRig.withEmulator(name(test), 1);
        rig.setMoreSettings("backupIntervalSeconds: 2\n");
        rig.mount();
        Map<Path, byte[]> files = rig.writeFiles("local", 3, 64 << 10);
        Shell.Result sync = ZeroMount.cli("sync", "--config", rig.config().toString(), rig.cache().toString());
        assertEquals(0, sync.exitCode(), "zero-cli sync; " + rig.describe(sync));
        rig.emulator().stats().reset();

        long idleMillis = 16_000; // three tiering passes (every 5 s), eight backup intervals
        long end = System.currentTimeMillis() + idleMillis;
        while (System.currentTimeMillis() < end) {
            TieringRig.assertReadBackByteExact(files);
            Thread.sleep(500);
        }

        Map<String, Long> calls = rig.emulator().stats().snapshot();
        System.out.println("B2SparingTest: an idle mount reading local files for " + idleMillis / 1000 + " s made these calls: " + calls);
        assertEquals(Map.of(), calls, "B2 calls of a mount that only read local files");
    }

    private static String name(TestInfo test) {
        return test.getTestMethod().orElseThrow().getName();
    }

    /** Nanoseconds from open to the first 4 KiB read. */
    private static long firstByteNanos(Path file) throws IOException {
        long start = System.nanoTime();
        try (InputStream in = Files.newInputStream(file)) {
            assertEquals(4096, in.readNBytes(4096).length, "the first 4 KiB of " + file);
        }
        return System.nanoTime() - start;
    }

    /** Writes {@code mib} MiB of seeded random bytes and returns their SHA-256. */
    private static String writeRandom(Path file, int mib, long seed) throws IOException {
        MessageDigest digest = sha256();
        Random random = new Random(seed);
        byte[] block = new byte[MIB];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < mib; i++) {
                random.nextBytes(block);
                digest.update(block);
                out.write(block);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Reads the file sequentially, 1 MiB at a time, as cat does. */
    private static String sha256Of(Path file) throws IOException {
        MessageDigest digest = sha256();
        byte[] block = new byte[MIB];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(block)) > 0; ) {
                digest.update(block, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
