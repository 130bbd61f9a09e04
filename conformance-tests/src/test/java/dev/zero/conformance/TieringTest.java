package dev.zero.conformance;

import static dev.zero.conformance.Sys.O_CREAT;
import static dev.zero.conformance.Sys.O_WRONLY;
import static dev.zero.conformance.TieringRig.assertReadBackByteExact;
import static dev.zero.conformance.TieringRig.filesOnStatusLine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Zero only: tiering through the real CLI and a real mount, with the remote working. Files
 * written through the mount go to the remote, the least recently opened are evicted until local
 * usage is under the target, and they come back byte-exact when read. Each test has a fresh
 * filesystem with uploadDelaySeconds 0; the mount's own pass every 5 s may do part of the work
 * before {@code tier --once} does, so the tests check outcomes, not which pass did what.
 */
class TieringTest {
    /** 4 MB, a third of what {@link #FILES} files of {@link #FILE_SIZE} take. */
    private static final double TARGET_GB = 0.004;
    private static final int FILES = 12;
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

    private Map<Path, byte[]> mountAndWriteThreeTimesTheTarget(TieringRig.RemoteKind remote, TestInfo test) throws IOException {
        rig = TieringRig.with(remote, test.getTestMethod().orElseThrow().getName() + "-" + remote, TARGET_GB);
        rig.mount();
        return rig.writeFiles("file", FILES, FILE_SIZE);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TieringRig.RemoteKind.class)
    void tierOnceBringsLocalUsageUnderTheTarget(TieringRig.RemoteKind remote, TestInfo test) throws IOException {
        mountAndWriteThreeTimesTheTarget(remote, test);

        rig.assertTierOnceSucceeds();

        long used = rig.localContentBytes();
        assertTrue(used <= rig.targetBytes(), "after tier --once the local content takes " + used
                + " bytes, over the target of " + rig.targetBytes() + " bytes");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TieringRig.RemoteKind.class)
    void tierOnceStoresEachFileAsOneObjectInTheRemote(TieringRig.RemoteKind remote, TestInfo test) throws IOException {
        Map<Path, byte[]> files = mountAndWriteThreeTimesTheTarget(remote, test);

        rig.assertTierOnceSucceeds();

        files.forEach((file, content) -> assertEquals(List.of(Trees.sha256(content)), rig.remoteObjectHashes(file),
                "SHA-256 of the objects in the remote under inode/" + Sys.stat(file).ino() + "/, the inode of " + file.getFileName()));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TieringRig.RemoteKind.class)
    void evictedFilesReadBackByteExactThroughTheMount(TieringRig.RemoteKind remote, TestInfo test) throws IOException {
        Map<Path, byte[]> files = mountAndWriteThreeTimesTheTarget(remote, test);
        rig.assertTierOnceSucceeds();
        String status = rig.assertStatus();
        assertTrue(filesOnStatusLine(status, "remote only") > 0,
                "tier --once must have evicted files to get under the target; status:\n" + status);

        assertReadBackByteExact(files);
    }

    @Test
    void statLsChmodMvAndLnOfAnEvictedFileDoNotDownloadIt(TestInfo test) throws IOException {
        Map<Path, byte[]> files = mountAndWriteThreeTimesTheTarget(TieringRig.RemoteKind.B2_EMULATOR, test);
        rig.assertTierOnceSucceeds();
        Path oldest = files.keySet().iterator().next(); // the least recently opened: evicted first
        Path mnt = oldest.getParent();
        long downloadsBefore = rig.downloads();

        assertEquals(FILE_SIZE, Sys.stat(oldest).size(), "st_size of an evicted file");
        Shell.Result ls = Shell.run(mnt, "ls", "-l", oldest.getFileName().toString());
        assertEquals(0, ls.exitCode(), "ls -l of an evicted file: " + ls.output());
        assertTrue(ls.output().contains(" " + FILE_SIZE + " "), "ls -l must show the size of an evicted file: " + ls.output());
        Sys.chmod(oldest, 0600);
        assertEquals(0600, Sys.stat(oldest).permissions(), "mode of an evicted file after chmod");
        Path moved = mnt.resolve("moved");
        Sys.rename(oldest, moved);
        Path link = Sys.mkdir(mnt.resolve("dir")).resolve("link");
        Sys.link(moved, link);
        assertEquals(2, Sys.stat(link).nlink(), "st_nlink of an evicted file after ln");

        assertEquals(downloadsBefore, rig.downloads(), "B2 downloads during stat, ls -l, chmod, mv and ln of an evicted file");
        assertArrayEquals(files.get(oldest), Sys.readFile(link), "content of the evicted file through its new link");
        assertTrue(rig.downloads() > downloadsBefore, "reading " + oldest.getFileName() + " downloaded nothing, so it had"
                + " not been evicted and this test proved nothing: the least recently opened file must go first");
    }

    @Test
    void aFileOpenForWritingIsNotUploadedUntilItIsClosed(TestInfo test) throws IOException {
        rig = TieringRig.withEmulator(test.getTestMethod().orElseThrow().getName(), TARGET_GB);
        Path file = rig.mount().resolve("being-written");
        byte[] content = Data.random(5, FILE_SIZE);
        int half = FILE_SIZE / 2;

        try (Fd fd = Sys.open(file, O_WRONLY | O_CREAT, 0644)) {
            fd.write(Arrays.copyOf(content, half));
            rig.assertTierOnceSucceeds();
            assertEquals(List.of(), rig.remoteObjectHashes(file), "objects in the bucket for a file still open for writing");
            fd.write(Arrays.copyOfRange(content, half, FILE_SIZE));
        }
        rig.assertTierOnceSucceeds();

        assertEquals(List.of(Trees.sha256(content)), rig.remoteObjectHashes(file),
                "SHA-256 of the bucket's objects for the file once closed: its whole content");
    }

    @Test
    void aFileWithThreeNamesIsUploadedOnceEvictedOnceAndRecalledOnce(TestInfo test) throws IOException {
        // 1.5 MB: room for one of the two files, so the least recently opened one, the linked file, is evicted.
        rig = TieringRig.withEmulator(test.getTestMethod().orElseThrow().getName(), 0.0015);
        Path mnt = rig.mount();
        byte[] content = Data.random(3, FILE_SIZE);
        Path first = mnt.resolve("first");
        Path second = mnt.resolve("second");
        Path third = Sys.mkdir(mnt.resolve("dir")).resolve("third");
        Sys.writeFile(first, content);
        Sys.link(first, second);
        Sys.link(first, third);
        Sys.writeFile(mnt.resolve("other"), Data.random(4, FILE_SIZE));

        rig.assertTierOnceSucceeds();

        // Objects, not upload calls: metadata backups are uploads too. A superseded object stays in
        // the bucket while a backup refers to it, so a second upload of the file would show here.
        assertEquals(1, rig.remoteObjectHashes(first).size(), "objects in the bucket for the inode with 3 names");
        assertEquals(1, rig.remoteObjectHashes(mnt.resolve("other")).size(), "objects in the bucket for the other file");
        String status = rig.assertStatus();
        assertEquals(1, filesOnStatusLine(status, "remote only"), "files evicted, a file with 3 names counting once; status:\n" + status);
        long downloadsBefore = rig.downloads();
        assertArrayEquals(content, Sys.readFile(first), "content through the first name");
        long downloadsAfterFirst = rig.downloads();
        assertTrue(downloadsAfterFirst > downloadsBefore, "reading the first name must recall the evicted file from the bucket");
        assertArrayEquals(content, Sys.readFile(second), "content through the second name");
        assertArrayEquals(content, Sys.readFile(third), "content through the third name");
        assertEquals(downloadsAfterFirst, rig.downloads(), "B2 downloads for the second and third names: they are the"
                + " inode recalled through the first name");
    }

    @Test
    void statusWithTheCacheNotMountedShowsTheFilesWaitingForUpload(TestInfo test) throws IOException {
        rig = TieringRig.withEmulator(test.getTestMethod().orElseThrow().getName(), TARGET_GB);
        rig.setUploadDelaySeconds(3600);
        rig.mount();
        rig.writeFiles("file", 3, FILE_SIZE);
        rig.unmount();

        String status = rig.assertStatus();

        assertEquals(3, filesOnStatusLine(status, "dirty"), "dirty files in zero-cli status of an unmounted cache:\n" + status);
    }

    @Test
    void tierOnceWithTheCacheNotMountedUploadsAndEvicts(TestInfo test) throws IOException {
        rig = TieringRig.withEmulator(test.getTestMethod().orElseThrow().getName(), TARGET_GB);
        rig.setUploadDelaySeconds(3600);
        rig.mount();
        Map<Path, byte[]> files = rig.writeFiles("file", FILES, FILE_SIZE);
        rig.unmount();
        rig.setUploadDelaySeconds(0);

        String output = rig.assertTierOnceSucceeds();

        assertTrue(output.contains("uploaded " + FILES + " files"), "tier --once of an unmounted cache must upload all "
                + FILES + " files; it printed:\n" + output);
        long used = rig.localContentBytes();
        assertTrue(used <= rig.targetBytes(), "after tier --once of an unmounted cache the local content takes " + used
                + " bytes, over the target of " + rig.targetBytes() + " bytes");
        rig.mount();
        assertReadBackByteExact(files);
    }
}
