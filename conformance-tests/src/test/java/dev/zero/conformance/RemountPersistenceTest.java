package dev.zero.conformance;

import static dev.zero.conformance.Sys.O_CREAT;
import static dev.zero.conformance.Sys.O_WRONLY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.SortedMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Zero only: builds a tree with every kind of entry and attribute, unmounts cleanly, mounts again
 * on the same cache directory, and checks that everything is as it was. Right after the remount
 * the entries are stat'ed before anything is read, so the times are those at unmount.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RemountPersistenceTest {
    private static final Instant FILE_ATIME = Instant.parse("2011-01-01T01:01:01.000000001Z");
    private static final Instant FILE_MTIME = Instant.parse("2012-02-02T02:02:02.999999999Z");
    private static final Instant DIR_MTIME = Instant.parse("2013-03-03T03:03:03.123456789Z");

    private Path work;
    private ZeroMount mount;
    private Snapshot before;
    private SortedMap<String, Stat> statsAfterRemount;
    private Snapshot after;

    @BeforeAll
    void buildTreeThenUnmountAndMountAgain() throws IOException {
        Assumptions.assumeTrue(ZeroMount.jarAvailable(), "no zero-cli jar at " + ZeroMount.jar() + " (build the cli module first)");
        work = Files.createTempDirectory("zero-conformance-remount-");
        Path mnt = work.resolve("mnt");
        Path cache = work.resolve("cache");
        mount = ZeroMount.start(mnt, cache);
        Path tree = Sys.mkdir(mnt.resolve("tree"));
        build(tree);
        before = Snapshot.take(tree);

        mount.unmount();
        mount.close();
        mount = ZeroMount.start(mnt, cache);

        statsAfterRemount = Snapshot.statsOf(tree, before.paths());
        after = Snapshot.take(tree);
    }

    private static void build(Path tree) {
        Sys.writeFile(tree.resolve("small"), "small content\n");
        Sys.writeFile(tree.resolve("big"), Data.pattern(0, 3 * 1024 * 1024 + 17));
        Sys.touch(tree.resolve("empty"));
        try (Fd fd = Sys.open(tree.resolve("sparse"), O_WRONLY | O_CREAT, 0644)) {
            fd.pwrite("end".getBytes(), 5 * 1024 * 1024);
        }
        Path dir = Sys.mkdir(tree.resolve("dir"), 0750);
        Sys.mkdir(dir.resolve("sub1"));
        Sys.mkdir(dir.resolve("sub2"));
        Sys.link(tree.resolve("big"), dir.resolve("big-link"));
        Sys.mkdir(tree.resolve("a"));
        Sys.mkdir(tree.resolve("a/b"));
        Sys.mkdir(tree.resolve("a/b/c"));
        Sys.writeFile(tree.resolve("a/b/c/deep"), "deep");

        Sys.chmod(tree.resolve("small"), 0640);
        Sys.writeFile(tree.resolve("setuid"), "#!/bin/sh\n");
        Sys.chmod(tree.resolve("setuid"), 04755);
        Sys.mkdir(tree.resolve("sticky"), 01777);
        Sys.writeFile(tree.resolve("owned"), "owned");
        Sys.chown(tree.resolve("owned"), 1234, 5678);
        Sys.mkdir(tree.resolve("owned-dir"));
        Sys.chown(tree.resolve("owned-dir"), 42, 43);

        Sys.setxattr(tree.resolve("small"), "user.text", "hello");
        Sys.setxattr(tree.resolve("small"), "user.binary", new byte[] {0, 1, (byte) 0xfe, 0}, 0);
        Sys.setxattr(dir, "user.on-dir", "dir attribute");

        Sys.symlink(tree.resolve("small").toString(), tree.resolve("absolute-link"));
        Sys.symlink("dir/../small", tree.resolve("relative-link"));
        Sys.symlink("nowhere", tree.resolve("dangling-link"));
        Sys.mkfifo(tree.resolve("fifo"), 0620);
        Sys.mknod(tree.resolve("device"), Stat.S_IFCHR | 0600, Sys.makedev(240, 300));

        Sys.setTimes(tree.resolve("small"), FILE_ATIME, FILE_MTIME);
        Sys.setTimes(dir, FILE_ATIME, DIR_MTIME);
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
    void everyEntryIsStillListed() {
        assertEquals(before.paths(), after.paths(), "entries (by readdir) before unmount and after remount");
    }

    @Test
    void fileContentsSymlinkTargetsAndXattrsAreExact() {
        assertEquals(before.contents(), after.contents(), "content (SHA-256), symlink target and user xattrs of each entry");
    }

    @Test
    void typesAndModesAreKept() {
        assertEquals(Snapshot.field(before.stats(), st -> Integer.toOctalString(st.mode())),
                Snapshot.field(statsAfterRemount, st -> Integer.toOctalString(st.mode())), "st_mode (type and permissions) of each entry");
    }

    @Test
    void ownersAreKept() {
        assertEquals(Snapshot.field(before.stats(), st -> st.uid() + ":" + st.gid()),
                Snapshot.field(statsAfterRemount, st -> st.uid() + ":" + st.gid()), "uid:gid of each entry");
    }

    @Test
    void timesAreKeptToTheNanosecond() {
        assertEquals(Snapshot.field(before.stats(), st -> "atime " + st.atime() + " mtime " + st.mtime() + " ctime " + st.ctime()),
                Snapshot.field(statsAfterRemount, st -> "atime " + st.atime() + " mtime " + st.mtime() + " ctime " + st.ctime()),
                "times of each entry");
        assertEquals(FILE_MTIME, statsAfterRemount.get("small").mtime(), "the mtime set with utimensat on 'small'");
        assertEquals(DIR_MTIME, statsAfterRemount.get("dir").mtime(), "the mtime set with utimensat on 'dir'");
    }

    @Test
    void inodeNumbersAreKeptAndHardLinksStillShareOne() {
        assertEquals(Snapshot.field(before.stats(), Stat::ino), Snapshot.field(statsAfterRemount, Stat::ino), "st_ino of each entry");
        assertEquals(statsAfterRemount.get("big").ino(), statsAfterRemount.get("dir/big-link").ino(), "the two names of 'big' must share st_ino");
    }

    @Test
    void linkCountsAreKept() {
        assertEquals(Snapshot.field(before.stats(), Stat::nlink), Snapshot.field(statsAfterRemount, Stat::nlink), "st_nlink of each entry");
        assertEquals(2, statsAfterRemount.get("big").nlink(), "st_nlink of a file with two names");
        assertEquals(4, statsAfterRemount.get("dir").nlink(), "st_nlink of a directory with two subdirectories");
    }

    @Test
    void sizesAreKept() {
        assertEquals(Snapshot.field(before.stats(), Stat::size), Snapshot.field(statsAfterRemount, Stat::size), "st_size of each entry");
    }

    @Test
    void fifosAndDevicesAreKept() {
        assertTrue(statsAfterRemount.get("fifo").isFifo(), "'fifo' must still be a FIFO");
        Stat device = statsAfterRemount.get("device");
        assertTrue(device.isCharDevice(), "'device' must still be a character device");
        assertEquals("240:300", device.rdevMajor() + ":" + device.rdevMinor(), "st_rdev of 'device'");
    }
}
