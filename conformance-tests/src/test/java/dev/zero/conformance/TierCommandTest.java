package dev.zero.conformance;

import static dev.zero.conformance.TieringRig.filesOnStatusLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zero.b2emulator.Fault;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Zero only, against the B2 emulator: what {@code zero-cli tier --once}, {@code sync} and
 * {@code status} tell a user. An explicit pass uploads what was written a moment ago; being over
 * the target only because content is dirty or open is a notice, not an error; a failure names
 * the file's path and what went wrong, and status drops it once the remote works again.
 */
class TierCommandTest {
    private static final int FILE_SIZE = 1 << 20;
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

    private Path mount(TestInfo test, double targetGb) throws IOException {
        rig = TieringRig.withEmulator(test.getTestMethod().orElseThrow().getName(), targetGb);
        rig.setUploadDelaySeconds(10); // the default: background passes wait for a file to be quiet
        return rig.mount();
    }

    @Test
    void tierOnceRightAfterWritingUploadsTheFile(TestInfo test) throws IOException {
        Path mnt = mount(test, 1);
        Sys.writeFile(mnt.resolve("just-written"), Data.random(1, FILE_SIZE));
        String output = rig.assertTierOnceSucceeds();
        assertTrue(output.contains("uploaded 1 files"), output);
        assertEquals(0, filesOnStatusLine(rig.assertStatus(), "dirty"));
    }

    @Test
    void punchingAHoleInAnUploadedFileMakesItDirtyAgain(TestInfo test) throws IOException {
        Path mnt = mount(test, 1);
        Sys.writeFile(mnt.resolve("uploaded"), Data.random(4, 4 * FILE_SIZE));
        rig.assertTierOnceSucceeds();
        assertEquals(0, filesOnStatusLine(rig.assertStatus(), "dirty"));
        Shell.Result punch = Shell.run(mnt, "fallocate", "-p", "-o", "0", "-l", String.valueOf(FILE_SIZE), "uploaded");
        assertEquals(0, punch.exitCode(), punch.output());
        assertEquals(1, filesOnStatusLine(rig.assertStatus(), "dirty"), "the hole is a change to upload");
        assertTrue(rig.assertTierOnceSucceeds().contains("uploaded 1 files"));
    }

    @Test
    void overTheTargetOnlyBecauseAFileIsOpenIsANoticeNotAnError(TestInfo test) throws IOException {
        Path mnt = mount(test, 0.0005); // 0.5 MB: less than the file
        try (Fd open = Sys.open(mnt.resolve("open-for-writing"), Sys.O_WRONLY | Sys.O_CREAT, 0644)) {
            open.write(Data.random(2, FILE_SIZE));
            Shell.Result tier = rig.tierOnce();
            assertEquals(0, tier.exitCode(), rig.describe(tier));
            assertTrue(tier.output().contains("tier: notice: local content uses") && tier.output().contains("dirty (not uploaded yet) or open"),
                    rig.describe(tier));
            assertTrue(tier.output().contains("0.00 GB") || tier.output().contains(" GB ("), "sizes in GB, as the target is: " + tier.output());
            assertFalse(tier.output().contains("tier: error"), rig.describe(tier));
        }
    }

    @Test
    void aFailedUploadNamesThePathAndStatusDropsItOnceB2IsBack(TestInfo test) throws IOException {
        Path mnt = mount(test, 1);
        Sys.mkdir(mnt.resolve("docs"));
        Sys.writeFile(mnt.resolve("docs/report.pdf"), Data.random(3, FILE_SIZE));
        rig.emulator().faults().add(Fault.serviceUnavailable(0).onPathsContaining("b2_upload"));
        Shell.Result failed = rig.tierOnce();
        assertEquals(1, failed.exitCode(), rig.describe(failed));
        assertTrue(failed.output().contains("tier: error: upload of docs/report.pdf failed: "), rig.describe(failed));
        assertTrue(rig.assertStatus().contains("upload of docs/report.pdf failed"), "status lists the remote's error");

        rig.emulator().faults().clear();
        rig.assertTierOnceSucceeds();
        String status = rig.assertStatus();
        assertTrue(status.contains("last remote errors: none"), "errors of a remote that works again are dropped:\n" + status);
    }

    @Test
    void syncUploadsEverythingBacksUpAndReportsTheRecoveryPoint(TestInfo test) throws IOException {
        Path mnt = mount(test, 1);
        rig.writeFiles("file", 3, FILE_SIZE);
        Shell.Result sync = ZeroMount.cli("sync", "--config", rig.config().toString(), rig.cache().toString());
        assertEquals(0, sync.exitCode(), rig.describe(sync));
        assertTrue(sync.output().contains("sync: uploaded 3 files"), rig.describe(sync));
        assertTrue(sync.output().contains("sync: a restore from the remote alone now loses nothing"), rig.describe(sync));
        String status = rig.assertStatus();
        assertTrue(status.contains("recovery point:  the tree as of ") && status.contains("(unchanged since); every file's content uploaded"),
                status);
    }
}
