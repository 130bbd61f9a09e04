package dev.zero.conformance;

import static dev.zero.conformance.TieringRig.filesOnStatusLine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Zero only: the cache disk is lost and the filesystem comes back from the remote. A tree with
 * every kind of entry and attribute is built on a mount, tiered (some content evicted) and backed
 * up; the machine then dies (kill -9, so no backup at unmount), the cache directory is deleted,
 * {@code zero-cli restore} rebuilds a new one from the remote alone, and the mounted result must
 * equal the snapshot taken before the backup field by field, content by SHA-256. Changes made
 * after the backup must be absent: the backup is the recovery point. Runs as root (chown to
 * other users, mknod of a device).
 */
class DisasterRecoveryTest {
    /** 4 MB: less than the tree's ~9.5 MB of content, so tier --once evicts some of it. */
    private static final BackupRig.Settings TIERED = new BackupRig.Settings(0.004, 0, 3600);

    private static final Instant FUTURE_ATIME = Instant.parse("2031-05-06T07:08:09.123456789Z");
    private static final Instant PAST_MTIME = Instant.parse("2002-03-04T05:06:07.987654321Z");
    private static final Pattern RESTORE_OUTPUT = Pattern.compile(
            "^restore: (\\d+) inodes from (zero/backups/\\S+\\.zdump) \\(taken [^)]+\\)(.*)$", Pattern.MULTILINE);

    private final List<BackupRig> rigs = new ArrayList<>();

    @BeforeEach
    void requireTheJarAndRoot() {
        Assumptions.assumeTrue(ZeroMount.jarAvailable(), "no zero-cli jar at " + ZeroMount.jar() + " (build the cli module first)");
        Assumptions.assumeTrue(BackupRig.isRoot(), "chown to other users and mknod need root");
    }

    @AfterEach
    void cleanUp() {
        rigs.forEach(BackupRig::close);
    }

    private BackupRig rig(TieringRig.RemoteKind remote, String name, BackupRig.Settings settings) throws IOException {
        BackupRig rig = BackupRig.create(remote, name, settings);
        rigs.add(rig);
        return rig;
    }

    private static String name(TestInfo test, Object remote) {
        return test.getTestMethod().orElseThrow().getName() + (remote == null ? "" : "-" + remote);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TieringRig.RemoteKind.class)
    void aLostCacheIsRestoredFromTheRemoteAsOfTheLastBackup(TieringRig.RemoteKind remote, TestInfo test) throws IOException {
        BackupRig rig = rig(remote, name(test, remote), TIERED);
        Path mnt = rig.mount();
        Map<String, byte[]> written = buildTree(mnt);
        FullSnapshot before = FullSnapshot.take(mnt);
        written.forEach((path, content) -> assertEquals("sha256 " + Trees.sha256(content), before.contents().get(path),
                "content of " + path + " read back before the backup"));

        rig.assertCli("tier", "--once");
        String status = rig.assertCli("status");
        assertTrue(filesOnStatusLine(status, "remote only") > 0,
                "tier --once with a 4 MB target must have evicted some of the ~9.5 MB of content; status:\n" + status);
        String backup = rig.backUp();

        // After the backup: none of this may survive the loss of the cache.
        Sys.writeFile(mnt.resolve("written-after-the-backup"), Data.random(99, 1000));
        Sys.mkdir(mnt.resolve("dir-made-after-the-backup"));
        Sys.rename(mnt.resolve("docs/readme.txt"), mnt.resolve("docs/renamed-after-the-backup.txt"));
        Sys.chmod(mnt.resolve("big-3MB.bin"), 0666);
        Sys.unlink(mnt.resolve("docs/deep/deeper/deepest/leaf.bin"));
        rig.kill9();

        Path lost = rig.cache();
        Shell.Result intoTheOldCache = rig.cliOn("restore", lost);
        assertNotEquals(0, intoTheOldCache.exitCode(), "restore into a cache that holds a filesystem must fail; " + rig.describe(intoTheOldCache));
        assertTrue(intoTheOldCache.output().contains("already holds a Zero filesystem"),
                "restore into a cache that holds a filesystem must say so; it printed:\n" + intoTheOldCache.output());

        Trees.deleteRecursively(lost);
        assertFalse(Files.exists(lost), "the cache directory must be gone");
        Path restored = rig.work().resolve("restored-cache");
        rig.useCache(restored);
        Shell.Result restore = rig.cli("restore");
        assertEquals(0, restore.exitCode(), "restore into a new directory; " + rig.describe(restore));
        Matcher report = RESTORE_OUTPUT.matcher(restore.output());
        assertTrue(report.find(), "restore must print 'restore: N inodes from zero/backups/... (taken ...)'; it printed:\n" + restore.output());
        assertEquals(backup, report.group(2), "the backup restored: the newest, the one zero-cli backup made");
        assertEquals(before.inodeCount(), Long.parseLong(report.group(1)), "inodes restored (the root included); output:\n" + restore.output());
        assertEquals("", report.group(3).trim(), "every file's content was uploaded before the backup, so none is lost");
        String fsck = rig.assertCli("fsck");
        assertTrue(fsck.contains("0 problems"), "fsck of a freshly restored cache: " + fsck);

        rig.mount();
        FullSnapshot after = FullSnapshot.takeStatsFirst(mnt, before.paths());
        after.assertSameAs(before, "the restored tree against the snapshot taken before the backup");
        assertFalse(Files.exists(mnt.resolve("written-after-the-backup")), "a file written after the last backup must not be restored");
        assertFalse(Files.exists(mnt.resolve("dir-made-after-the-backup")), "a directory made after the last backup must not be restored");

        // Second round: changes on the restored filesystem, backed up by the clean unmount alone.
        Path fresh = mnt.resolve("docs/written-after-the-restore");
        byte[] freshContent = Data.random(7, 300_000);
        Sys.writeFile(fresh, freshContent);
        long freshIno = Sys.stat(fresh).ino();
        Sys.unlink(mnt.resolve("docs/empty"));
        Sys.link(mnt.resolve("big-3MB.bin"), mnt.resolve("empty dir/new-name-of-big-3MB.bin"));
        rig.assertCli("tier", "--once");
        rig.unmount();
        String atUnmount = rig.lastBackupInMountLog();
        assertNotNull(atUnmount, "a clean unmount after changes must back up ('zero: metadata backed up to ...'); log:\n" + rig.lastMountLog());

        Trees.deleteRecursively(restored);
        rig.useCache(rig.work().resolve("restored-again"));
        Shell.Result again = rig.cli("restore");
        assertEquals(0, again.exitCode(), "second restore; " + rig.describe(again));
        Matcher againReport = RESTORE_OUTPUT.matcher(again.output());
        assertTrue(againReport.find() && againReport.group(2).equals(atUnmount),
                "the second restore must use the backup made at unmount, " + atUnmount + "; it printed:\n" + again.output());
        rig.mount();
        assertArrayEquals(freshContent, Sys.readFile(fresh), "a file written on the restored filesystem, after a second restore");
        assertEquals(freshIno, Sys.stat(fresh).ino(), "its inode number");
        assertTrue(before.stats().values().stream().noneMatch(st -> st.ino() == freshIno),
                "a file created after a restore got inode number " + freshIno + ", which the restored tree already used");
        assertFalse(Files.exists(mnt.resolve("docs/empty")), "a file unlinked before the unmount backup");
        Stat linked = Sys.stat(mnt.resolve("empty dir/new-name-of-big-3MB.bin"));
        assertEquals(2, linked.nlink(), "link count of a file linked after the restore");
        assertEquals(Sys.stat(mnt.resolve("big-3MB.bin")).ino(), linked.ino(), "a name linked after the restore: the same inode");
        assertArrayEquals(Data.random(12, 3 << 20), Sys.readFile(mnt.resolve("empty dir/new-name-of-big-3MB.bin")),
                "content through the new name");
    }

    @Test
    void restoreRefusesADirectoryThatIsNotEmpty(TestInfo test) throws IOException {
        BackupRig rig = rig(TieringRig.RemoteKind.LOCAL_DIRECTORY, name(test, null), TIERED);
        Sys.writeFile(rig.mount().resolve("file"), "content");
        rig.unmount();
        Path notEmpty = Files.createDirectories(rig.work().resolve("not-empty"));
        Files.writeString(notEmpty.resolve("someone-elses-file.txt"), "precious");

        Shell.Result result = rig.cliOn("restore", notEmpty);

        assertNotEquals(0, result.exitCode(), "restore into a directory that holds other files must fail (its help says"
                + " '<cache> An empty or new directory to restore into'); " + rig.describe(result) + "\nthe directory now holds: "
                + Trees.names(notEmpty));
        assertTrue(result.output().contains("empty"), "and say it needs an empty directory; it printed:\n" + result.output());
        assertEquals(List.of("someone-elses-file.txt"), Trees.names(notEmpty).stream()
                .filter(n -> !n.equals("lock")).toList(), "a refused restore must leave the directory as it was");
    }

    @Test
    void restoreReportsFilesWhoseContentWasNeverUploaded(TestInfo test) throws IOException {
        BackupRig rig = rig(TieringRig.RemoteKind.LOCAL_DIRECTORY, name(test, null), new BackupRig.Settings(10, 3600, 3600));
        Path mnt = rig.mount();
        Sys.writeFile(mnt.resolve("never-uploaded"), Data.random(1, 5000));
        Sys.touch(mnt.resolve("empty"));
        Sys.chmod(mnt.resolve("never-uploaded"), 0600);
        rig.unmount();
        assertNotNull(rig.lastBackupInMountLog(), "the clean unmount must back up; log:\n" + rig.lastMountLog());
        Trees.deleteRecursively(rig.cache());

        String output = rig.assertCli("restore");

        assertTrue(output.contains("; 1 files had content that was never uploaded and are empty"),
                "restore must count the one file whose content never reached the remote; it printed:\n" + output);
        rig.mount();
        Stat lost = Sys.stat(mnt.resolve("never-uploaded"));
        assertEquals(0, lost.size(), "a file whose content was never uploaded comes back empty");
        assertEquals(0600, lost.permissions(), "with its other attributes");
        assertEquals(0, Sys.readFile(mnt.resolve("never-uploaded")).length, "and reads as empty");
        assertEquals(0, Sys.stat(mnt.resolve("empty")).size(), "an empty file is not lost content");
    }

    @Test
    void aBackupWithNothingChangedSinceTheLastOneSaysSo(TestInfo test) throws IOException {
        BackupRig rig = rig(TieringRig.RemoteKind.LOCAL_DIRECTORY, name(test, null), new BackupRig.Settings(10, 0, 3600));
        Sys.writeFile(rig.mount().resolve("file"), "content");
        rig.assertCli("tier", "--once");
        String first = rig.backUp();

        String mounted = rig.assertCli("backup");
        rig.unmount();
        String unmounted = rig.assertCli("backup");

        List<String> backups = List.copyOf(rig.remoteKeys(BackupRig.BACKUP_PREFIX));
        assertEquals("backup: nothing changed since the last backup", mounted.trim(),
                "a second zero-cli backup through the mount, with no change to the filesystem since " + first
                        + "; the remote now holds " + backups);
        assertEquals("backup: nothing changed since the last backup", unmounted.trim(),
                "zero-cli backup of the unmounted cache, with no change since the backup made at unmount ("
                        + rig.lastBackupInMountLog() + "); the remote now holds " + backups);
    }

    /**
     * Builds the tree every restore must reproduce: nested directories with special modes and
     * owners, small, empty and multi-MB files, a file with three names, symlinks (absolute,
     * relative, dangling) with their own owner, user xattrs (text and binary, on files, a
     * directory and the three-name file), a FIFO, a character device, a non-ASCII name, and
     * nanosecond times on every entry (atimes in the future, so that reading never moves them).
     * Returns the content of each regular file by path.
     */
    private static Map<String, byte[]> buildTree(Path mnt) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        Sys.mkdir(mnt.resolve("docs"));
        Sys.mkdir(mnt.resolve("docs/deep"), 0750);
        Sys.mkdir(mnt.resolve("docs/deep/deeper"), 0700);
        Sys.mkdir(mnt.resolve("docs/deep/deeper/deepest"));
        Sys.mkdir(mnt.resolve("empty dir"));
        Sys.mkdir(mnt.resolve("shared"), 01777);
        Sys.mkdir(mnt.resolve("team"));
        Sys.mkdir(mnt.resolve("photos"));

        write(mnt, files, "docs/readme.txt", "Zero keeps this.\n".getBytes());
        write(mnt, files, "docs/empty", new byte[0]);
        write(mnt, files, "docs/deep/deeper/deepest/leaf.bin", Data.random(11, 4096));
        write(mnt, files, "docs/deep/one-byte", new byte[] {42});
        write(mnt, files, "big-3MB.bin", Data.random(12, 3 << 20));
        write(mnt, files, "docs/deep/big-5MB.bin", Data.random(13, 5 << 20));
        write(mnt, files, "team/médiathèque — notes ü.txt", Data.random(14, 70_000));
        write(mnt, files, "team/setuid-tool", Data.random(15, 20_000));
        write(mnt, files, "photos/linked.jpg", Data.random(16, 1 << 20));
        Sys.link(mnt.resolve("photos/linked.jpg"), mnt.resolve("docs/linked-2.jpg"));
        Sys.link(mnt.resolve("photos/linked.jpg"), mnt.resolve("shared/linked-3.jpg"));
        files.put("docs/linked-2.jpg", files.get("photos/linked.jpg"));
        files.put("shared/linked-3.jpg", files.get("photos/linked.jpg"));

        Sys.symlink("/srv/somewhere/absolute-target", mnt.resolve("docs/absolute-link"));
        Sys.symlink("../readme.txt", mnt.resolve("docs/deep/relative-link"));
        Sys.symlink("no/such/target", mnt.resolve("dangling-link"));
        Sys.mkfifo(mnt.resolve("docs/pipe"), 0620);
        Sys.chmod(mnt.resolve("docs/pipe"), 0620);
        Sys.mknod(mnt.resolve("docs/null-device"), Stat.S_IFCHR | 0666, Sys.makedev(1, 3));

        Sys.setxattr(mnt.resolve("docs/readme.txt"), "user.comment", "read me first");
        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        Sys.setxattr(mnt.resolve("docs/deep/big-5MB.bin"), "user.binary", binary, 0);
        Sys.setxattr(mnt.resolve("docs/deep/big-5MB.bin"), "user.empty", new byte[0], 0);
        Sys.setxattr(mnt.resolve("docs"), "user.directory", "a directory's xattr");
        Sys.setxattr(mnt.resolve("photos/linked.jpg"), "user.shared", "one inode, three names");

        // Owners first: chown may clear set-user-ID and set-group-ID bits.
        Sys.chown(mnt.resolve("docs/readme.txt"), 1001, 1002);
        Sys.chown(mnt.resolve("big-3MB.bin"), Shell.NOBODY, Shell.NOBODY);
        Sys.chown(mnt.resolve("docs/deep"), 3000, 3001);
        Sys.chown(mnt.resolve("team"), 2000, 2001);
        Sys.chown(mnt.resolve("team/setuid-tool"), 0, 2001);
        Sys.chown(mnt.resolve("docs/pipe"), 1001, 1002);
        Sys.chown(mnt.resolve("photos/linked.jpg"), 4000, 4001);
        Shell.Result lchown = Shell.run(null, "chown", "-h", "5000:5001", mnt.resolve("docs/absolute-link").toString());
        assertEquals(0, lchown.exitCode(), "chown -h of a symlink: " + lchown.output());
        Sys.chmod(mnt.resolve("docs/readme.txt"), 0640);
        Sys.chmod(mnt.resolve("big-3MB.bin"), 0600);
        Sys.chmod(mnt.resolve("team"), 02775);
        Sys.chmod(mnt.resolve("team/setuid-tool"), 04751);
        Sys.chmod(mnt.resolve("photos/linked.jpg"), 0444);

        // Times last, children before their directory: creating an entry changes its directory's times.
        List<String> paths = new ArrayList<>(Trees.list(mnt));
        paths.sort(Comparator.reverseOrder());
        paths.add(".");
        for (int i = 0; i < paths.size(); i++) {
            Sys.utimensat(mnt.resolve(paths.get(i)), Sys.timespec(FUTURE_ATIME.plusNanos(7919L * i)),
                    Sys.timespec(PAST_MTIME.plusSeconds(i).plusNanos(104_729L * i)), Sys.AT_SYMLINK_NOFOLLOW);
        }
        return files;
    }

    private static void write(Path mnt, Map<String, byte[]> files, String path, byte[] content) {
        Sys.writeFile(mnt.resolve(path), content);
        files.put(path, content);
    }
}
