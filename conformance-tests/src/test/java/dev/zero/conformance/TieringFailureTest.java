package dev.zero.conformance;

import static dev.zero.conformance.ErrnoAssertions.assertErrno;
import static dev.zero.conformance.Sys.O_CREAT;
import static dev.zero.conformance.Sys.O_TRUNC;
import static dev.zero.conformance.Sys.O_WRONLY;
import static dev.zero.conformance.TieringRig.assertReadBackByteExact;
import static dev.zero.conformance.TieringRig.filesOnStatusLine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zero.b2emulator.Fault;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import jnr.constants.platform.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Zero only: tiering when things go wrong: B2 down, the mount unmounted or killed with uploads
 * pending. "B2 down" is either the emulator dropping every connection ({@link Fault#outage()}),
 * where each remote call fails only after Zero's ~15 s of retries, in the tests about what a user
 * waits for; or 503 with Retry-After 0, which fails a call at once, in the tests where only the
 * failure matters, to keep the suite fast.
 */
class TieringFailureTest {
    private static final int FILE_SIZE = 1 << 20;
    /** 0.5 MB, less than one file: every file that is safely in the bucket and closed is evicted. */
    private static final double TINY_TARGET_GB = 0.0005;
    /** What a user may wait for a read of an evicted file while B2 is down, before it must fail. */
    private static final Duration READ_FAILS_WITHIN = Duration.ofSeconds(60);
    /** 503 with Retry-After 0 on every call: each remote call fails after its retries, at once. */
    private static final Fault B2_DOWN_FAILING_AT_ONCE = Fault.serviceUnavailable(0);

    private TieringRig rig;

    @BeforeEach
    void requireTheJar() {
        Assumptions.assumeTrue(ZeroMount.jarAvailable(), "no zero-cli jar at " + ZeroMount.jar() + " (build the cli module first)");
    }

    @AfterEach
    void cleanUp() {
        if (rig != null) {
            rig.close();
        }
    }

    private Path mountWithB2(TestInfo test, double targetGb) throws IOException {
        rig = TieringRig.withEmulator(test.getTestMethod().orElseThrow().getName(), targetGb);
        return rig.mount();
    }

    @Test
    void localFilesKeepReadingAndWritingWhileB2IsDown(TestInfo test) throws IOException {
        Path mnt = mountWithB2(test, 0.004);
        Map<Path, byte[]> files = rig.writeFiles("file", 12, FILE_SIZE);
        rig.assertTierOnceSucceeds();
        Path newest = mnt.resolve("file-11"); // the most recently opened: kept local
        rig.emulator().faults().add(Fault.outage());
        long callsBefore = totalCalls();
        Sys.writeFile(mnt.resolve("waiting-for-upload"), Data.random(5, FILE_SIZE));
        awaitTrue(Duration.ofSeconds(20), () -> totalCalls() > callsBefore,
                "the mount's background pass never tried to upload the new file to B2");

        // The background pass is now retrying B2 for ~15 s; local files must not wait for it.
        byte[] rewritten = Data.random(6, FILE_SIZE);
        byte[] created = Data.random(7, FILE_SIZE);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            assertArrayEquals(files.get(newest), Sys.readFile(newest), "a local file read while B2 is down");
            Sys.writeFile(newest, rewritten);
            assertArrayEquals(rewritten, Sys.readFile(newest), "a local file rewritten while B2 is down");
            Sys.writeFile(mnt.resolve("created"), created);
            assertArrayEquals(created, Sys.readFile(mnt.resolve("created")), "a file created while B2 is down");
        }, "reading and writing local files while B2 is down must not wait for B2 (" + newest.getFileName()
                + ", the most recently written file, must have stayed local through tier --once)");
    }

    @Test
    void readingAnEvictedFileWhileB2IsDownFailsWithEioWithinAMinute(TestInfo test) throws IOException {
        Path mnt = mountWithB2(test, TINY_TARGET_GB);
        Path file = mnt.resolve("evicted");
        Sys.writeFile(file, Data.random(1, FILE_SIZE));
        rig.assertTierOnceSucceeds();
        rig.emulator().faults().add(Fault.outage());

        assertTimeoutPreemptively(READ_FAILS_WITHIN,
                () -> assertErrno(Errno.EIO, () -> Sys.readFile(file), "read of an evicted file while B2 is down"),
                "a read of an evicted file while B2 is down must fail with EIO within " + READ_FAILS_WITHIN.toSeconds()
                        + " s, not hang");
    }

    @Test
    void tierOnceWhileB2IsDownExitsOneAndStatusShowsTheRemoteError(TestInfo test) throws IOException {
        Path mnt = mountWithB2(test, TINY_TARGET_GB);
        Sys.writeFile(mnt.resolve("waiting"), Data.random(2, FILE_SIZE));
        rig.emulator().faults().add(B2_DOWN_FAILING_AT_ONCE);

        Shell.Result tier = rig.tierOnce();

        assertEquals(1, tier.exitCode(), "tier --once while B2 is down must exit 1; " + rig.describe(tier));
        String status = rig.assertStatus();
        assertTrue(Pattern.compile("^last remote errors: *\\n  \\S", Pattern.MULTILINE).matcher(status).find(),
                "status must list the failed upload, indented, under 'last remote errors:':\n" + status);
    }

    @Test
    void aFileWrittenWhileB2IsDownIsUploadedByTierOnceWhenB2IsBack(TestInfo test) throws IOException {
        Path mnt = mountWithB2(test, TINY_TARGET_GB);
        rig.emulator().faults().add(B2_DOWN_FAILING_AT_ONCE);
        Path file = mnt.resolve("written-while-down");
        byte[] content = Data.random(3, FILE_SIZE);
        Sys.writeFile(file, content);
        Shell.Result whileDown = rig.tierOnce();
        assertEquals(1, whileDown.exitCode(), "tier --once while B2 is down must fail; " + rig.describe(whileDown));
        rig.emulator().faults().clear();

        rig.assertTierOnceSucceeds();

        assertEquals(List.of(Trees.sha256(content)), rig.remoteObjectHashes(file),
                "SHA-256 of the bucket's objects for the file written while B2 was down");
        assertArrayEquals(content, Sys.readFile(file), "the file written while B2 was down, read back after it was evicted");
    }

    @Test
    void anEvictedFileReadsBackByteExactWhenB2IsBack(TestInfo test) throws IOException {
        Path mnt = mountWithB2(test, TINY_TARGET_GB);
        Path file = mnt.resolve("evicted");
        byte[] content = Data.random(4, FILE_SIZE);
        Sys.writeFile(file, content);
        rig.assertTierOnceSucceeds();
        rig.emulator().faults().add(B2_DOWN_FAILING_AT_ONCE);
        assertErrno(Errno.EIO, () -> Sys.readFile(file), "read of an evicted file while B2 is down");
        rig.emulator().faults().clear();

        assertArrayEquals(content, Sys.readFile(file), "an evicted file read once B2 is back, after a read that failed");
    }

    @Test
    void uploadsPendingAtUnmountAreDoneByTierOnceAfterTheRemount(TestInfo test) throws IOException {
        rig = TieringRig.withEmulator(test.getTestMethod().orElseThrow().getName(), TINY_TARGET_GB);
        rig.setUploadDelaySeconds(3600);
        rig.mount();
        Map<Path, byte[]> files = rig.writeFiles("file", 3, FILE_SIZE);
        rig.unmount();
        rig.setUploadDelaySeconds(0);
        rig.mount();

        String status = rig.assertStatus();
        assertEquals(3, filesOnStatusLine(status, "dirty"), "dirty files right after the remount:\n" + status);
        rig.assertTierOnceSucceeds();

        files.forEach((file, content) -> assertEquals(List.of(Trees.sha256(content)), rig.remoteObjectHashes(file),
                "SHA-256 of the bucket's objects for " + file.getFileName()));
        assertReadBackByteExact(files);
    }

    @Test
    void aMountKilledDuringUploadsLosesNoFileAndTierOnceCompletesTheUploads(TestInfo test) throws IOException {
        int size = 4 * FILE_SIZE;
        Path mnt = mountWithB2(test, TINY_TARGET_GB);
        rig.emulator().faults().add(Fault.slow(30_000).onPathsContaining("b2_upload"));
        Map<Path, byte[]> files = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            Path file = mnt.resolve("file-" + i);
            byte[] content = Data.random(10 + i, size);
            writeAndFsync(file, content);
            files.put(file, content);
        }
        Sys.fsyncDirectory(mnt);
        awaitTrue(Duration.ofSeconds(20), () -> rig.emulator().stats().count("b2_upload_file") > 0,
                "the mount's background pass never started an upload");

        rig.kill9();
        rig.emulator().faults().clear();
        rig.mount();

        assertReadBackByteExact(files);
        rig.assertTierOnceSucceeds();
        String status = rig.assertStatus();
        assertEquals(0, filesOnStatusLine(status, "dirty"), "dirty files after tier --once:\n" + status);
        assertEquals(3, filesOnStatusLine(status, "remote only"), "files evicted after tier --once:\n" + status);
        files.forEach((file, content) -> assertTrue(rig.remoteObjectHashes(file).contains(Trees.sha256(content)),
                "the bucket must hold the content of " + file.getFileName() + " after tier --once"));
        assertReadBackByteExact(files);
    }

    private static void writeAndFsync(Path file, byte[] content) {
        try (Fd fd = Sys.open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644)) {
            fd.write(content);
            fd.fsync();
        }
    }

    private long totalCalls() {
        return rig.emulator().stats().snapshot().values().stream().mapToLong(Long::longValue).sum();
    }

    private static void awaitTrue(Duration timeout, BooleanSupplier condition, String failure) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure + " within " + timeout.toSeconds() + " s");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
