package dev.zero.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Zero only: restore when backups in the remote are damaged. It must check each backup it reads,
 * name the damaged one in one line and restore the newest intact one; with none intact, say so in
 * one sentence, exit 4, and leave the directory exactly as it was, so that a retry works. Never a
 * stack trace, never a half-built store (which a mount would show as an empty tree, back up over
 * the good backups, and garbage-collect their content against).
 */
class DisasterRecoveryDamagedBackupTest {
    private static final BackupRig.Settings SETTINGS = new BackupRig.Settings(10, 0, 3600);

    private final List<BackupRig> rigs = new ArrayList<>();

    @BeforeEach
    void requireTheJar() {
        Assumptions.assumeTrue(ZeroMount.jarAvailable(), "no zero-cli jar at " + ZeroMount.jar() + " (build the cli module first)");
    }

    @AfterEach
    void cleanUp() {
        rigs.forEach(BackupRig::close);
    }

    /** A filesystem with two backups, its cache lost: what each backup holds, and their keys. */
    private record TwoBackups(BackupRig rig, String older, SortedMap<String, String> olderTree,
                              String newest, SortedMap<String, String> newestTree) {}

    private TwoBackups twoBackupsAndALostCache(TieringRig.RemoteKind remote, TestInfo test) throws IOException {
        BackupRig rig = BackupRig.create(remote, test.getTestMethod().orElseThrow().getName() + "-" + remote, SETTINGS);
        rigs.add(rig);
        Path mnt = rig.mount();
        Sys.mkdir(mnt.resolve("dir"));
        Sys.writeFile(mnt.resolve("dir/kept.bin"), Data.random(1, 200_000));
        Sys.writeFile(mnt.resolve("kept.txt"), "in both backups");
        Sys.symlink("dir/kept.bin", mnt.resolve("link"));
        rig.assertCli("tier", "--once");
        String older = rig.backUp();
        SortedMap<String, String> olderTree = Trees.describe(mnt);
        Sys.writeFile(mnt.resolve("only-in-the-newest.txt"), "newer");
        Sys.unlink(mnt.resolve("kept.txt"));
        rig.assertCli("tier", "--once");
        String newest = rig.backUp();
        SortedMap<String, String> newestTree = Trees.describe(mnt);
        rig.kill9();
        Trees.deleteRecursively(rig.cache());
        rig.useCache(rig.work().resolve("restored"));
        return new TwoBackups(rig, older, olderTree, newest, newestTree);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TieringRig.RemoteKind.class)
    void aTruncatedNewestBackupIsNamedAndTheOlderOneRestored(TieringRig.RemoteKind remote, TestInfo test) throws IOException {
        TwoBackups backups = twoBackupsAndALostCache(remote, test);
        // With the emulator, its record still says the full length and SHA-1: it must fail the download.
        // In a local directory nothing records them: only Zero's own checks can tell.
        truncateToHalf(backups.rig().storedFile(backups.newest()));

        Shell.Result restore = backups.rig().cli("restore");

        assertRestored(backups.rig(), restore, backups.older(), backups.olderTree());
        assertOneLineNames(restore, backups.newest(), backups.older());
    }

    @Test
    void aNewestBackupChangedAndRecompressedIsCaughtByZerosOwnChecksum(TestInfo test) throws IOException {
        TwoBackups backups = twoBackupsAndALostCache(TieringRig.RemoteKind.LOCAL_DIRECTORY, test);
        Path stored = backups.rig().storedFile(backups.newest());
        byte[] records = new GZIPInputStream(new ByteArrayInputStream(Files.readAllBytes(stored))).readAllBytes();
        records[records.length / 2] ^= 0x20;
        Files.write(stored, gzip(records)); // gzip's own CRC and length are right again

        Shell.Result restore = backups.rig().cli("restore");

        assertRestored(backups.rig(), restore, backups.older(), backups.olderTree());
        assertOneLineNames(restore, backups.newest(), backups.older());
    }

    @Test
    void aGarbageNewestBackupIsNamedAndTheRealNewestRestored(TestInfo test) throws IOException {
        TwoBackups backups = twoBackupsAndALostCache(TieringRig.RemoteKind.LOCAL_DIRECTORY, test);
        String garbage = BackupRig.BACKUP_PREFIX + "29991231T235959.999Z.zdump";
        backups.rig().putRemoteObject(garbage, Data.random(7, 50_000));

        Shell.Result restore = backups.rig().cli("restore");

        assertRestored(backups.rig(), restore, backups.newest(), backups.newestTree());
        assertOneLineNames(restore, garbage, backups.newest());
    }

    @Test
    void strayObjectsUnderTheBackupsPrefixAreSkippedWithOneLineEach(TestInfo test) throws IOException {
        TwoBackups backups = twoBackupsAndALostCache(TieringRig.RemoteKind.LOCAL_DIRECTORY, test);
        backups.rig().putRemoteObject(BackupRig.BACKUP_PREFIX + "garbage.bin", Data.random(8, 1000));
        backups.rig().putRemoteObject(BackupRig.BACKUP_PREFIX + "garbage.zdump", Data.random(9, 1000));

        Shell.Result restore = backups.rig().cli("restore");

        assertRestored(backups.rig(), restore, backups.newest(), backups.newestTree());
        for (String stray : List.of("garbage.bin", "garbage.zdump")) {
            List<String> lines = linesNaming(restore, BackupRig.BACKUP_PREFIX + stray);
            assertEquals(1, lines.size(), "one line must say " + stray + " was skipped; restore printed:\n" + restore.output());
            assertTrue(lines.get(0).contains("skipping"), lines.get(0));
        }
        assertTrue(backups.rig().remoteKeys(BackupRig.BACKUP_PREFIX).contains(BackupRig.BACKUP_PREFIX + "garbage.bin"),
                "an object that is not Zero's is never deleted");
    }

    @Test
    void withEveryBackupDamagedNothingChangesAndARetryWorks(TestInfo test) throws IOException {
        TwoBackups backups = twoBackupsAndALostCache(TieringRig.RemoteKind.LOCAL_DIRECTORY, test);
        BackupRig rig = backups.rig();
        Path newest = rig.storedFile(backups.newest());
        byte[] intact = Files.readAllBytes(newest);
        truncateToHalf(newest);
        truncateToHalf(rig.storedFile(backups.older()));
        Path empty = Files.createDirectories(rig.work().resolve("empty"));
        Path missing = rig.work().resolve("missing");

        for (Path cache : List.of(empty, missing)) {
            Shell.Result restore = rig.cliOn("restore", cache);

            assertEquals(4, restore.exitCode(), "restore with no intact backup; " + rig.describe(restore));
            assertNoStackTrace(restore);
            List<String> verdict = restore.output().lines().filter(l -> l.startsWith("zero-cli: ")).toList();
            assertEquals(1, verdict.size(), "one sentence says no backup could be restored; it printed:\n" + restore.output());
            assertTrue(verdict.get(0).contains("none of the 2 metadata backups"), verdict.get(0));
            assertOneLineNames(restore, backups.newest(), backups.older());
            assertEquals(1, linesNaming(restore, backups.older()).size(), "the older one, damaged too; it printed:\n" + restore.output());
        }
        assertEquals(List.of(), Trees.names(empty), "a failed restore leaves the directory as it was (no store, lock or restore.tmp)");
        assertFalse(Files.exists(missing), "a failed restore does not leave behind the directory it created");

        Files.write(newest, intact);
        rig.useCache(empty);
        assertRestored(rig, rig.cli("restore"), backups.newest(), backups.newestTree());
    }

    /** Restore exited 0 from {@code backup}, and the mounted tree is the one that backup holds. */
    private static void assertRestored(BackupRig rig, Shell.Result restore, String backup, SortedMap<String, String> tree) {
        assertEquals(0, restore.exitCode(), "restore must fall back to an intact backup; " + rig.describe(restore));
        assertNoStackTrace(restore);
        assertTrue(restore.output().contains(" inodes from " + backup + " "),
                "restore must say it restored " + backup + "; it printed:\n" + restore.output());
        try {
            Path mnt = rig.mount();
            assertEquals(tree, Trees.describe(mnt), "the restored tree against the one " + backup + " holds");
            rig.unmount();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Exactly one line names the damaged backup, and it says so; none is a stack trace. */
    private static void assertOneLineNames(Shell.Result restore, String damaged, String fallback) {
        assertNoStackTrace(restore);
        List<String> lines = linesNaming(restore, damaged);
        assertEquals(1, lines.size(), "one line must name the damaged " + damaged + " (before falling back to " + fallback
                + "); restore printed:\n" + restore.output());
        assertTrue(lines.get(0).startsWith("zero: backup " + damaged + " "), lines.get(0));
    }

    private static List<String> linesNaming(Shell.Result result, String key) {
        return result.output().lines().filter(line -> line.contains(key) && !line.startsWith("restore: ")).toList();
    }

    private static void assertNoStackTrace(Shell.Result result) {
        assertFalse(result.output().contains("\tat ") || result.output().contains("Exception"),
                "no stack trace, no exception name; it printed:\n" + result.output());
    }

    private static void truncateToHalf(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() / 2);
        }
    }

    private static byte[] gzip(byte[] plain) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(plain);
        }
        return out.toByteArray();
    }
}
