package dev.zero.conformance;

import static dev.zero.conformance.ErrnoAssertions.assertErrno;
import static dev.zero.conformance.Sys.O_RDONLY;
import static dev.zero.conformance.Sys.O_WRONLY;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Instant;
import jnr.constants.platform.Errno;

/**
 * Hard links. libfuse2's high-level API gives each name its own kernel node, so two names of one
 * inode do not share the kernel's attribute or page cache; Zero must still show one file.
 */
class HardLinkTest {

    @OnBothRoots
    void linkGivesBothNamesTheSameInodeAndALinkCountOfTwo(Root root) {
        Path first = root.resolve("first");
        Path second = root.resolve("second");
        Sys.writeFile(first, "shared");

        Sys.link(first, second);

        Stat a = Sys.stat(first);
        Stat b = Sys.stat(second);
        assertEquals(a.ino(), b.ino(), "both names must show the same st_ino");
        assertEquals(2, a.nlink(), "st_nlink through the original name after link");
        assertEquals(2, b.nlink(), "st_nlink through the new name after link");
        assertEquals("shared", Sys.readString(second), "content through the new name");
    }

    @OnBothRoots
    void linkIntoAnotherDirectoryGivesTheSameInode(Root root) {
        Path first = root.resolve("first");
        Path other = Sys.mkdir(root.resolve("other"));
        Sys.writeFile(first, "shared");

        Sys.link(first, other.resolve("second"));

        assertEquals(Sys.stat(first).ino(), Sys.stat(other.resolve("second")).ino(), "st_ino of a link in another directory");
        assertEquals(2, Sys.stat(other.resolve("second")).nlink(), "st_nlink of a link in another directory");
    }

    @OnBothRoots
    void linkChangesTheCtimeOfTheFile(Root root) {
        Path first = root.resolve("first");
        Sys.writeFile(first, "shared");
        Instant ctimeBefore = Sys.stat(first).ctime();
        Times.pause();

        Sys.link(first, root.resolve("second"));

        Times.assertAdvanced(ctimeBefore, Sys.stat(first).ctime(), "ctime after link (the link count changed)");
    }

    @OnBothRoots
    void writeThroughOneNameShowsAtOnceInTheSizeMtimeAndContentOfTheOther(Root root) {
        Path first = root.resolve("first");
        Path second = root.resolve("second");
        Sys.writeFile(first, "short");
        Sys.link(first, second);
        // Fill the kernel's caches for the second name, so that stale caches would show.
        Sys.stat(second);
        Sys.readFile(second);
        byte[] longer = Data.pattern(0, 200_000);

        try (Fd fd = Sys.open(first, O_WRONLY)) {
            fd.write(longer);
        }

        Stat viaFirst = Sys.stat(first);
        Stat viaSecond = Sys.stat(second);
        assertEquals(longer.length, viaSecond.size(), "st_size through the other name right after the write");
        assertEquals(viaFirst.mtime(), viaSecond.mtime(), "st_mtime through the other name right after the write");
        assertEquals(viaFirst.ctime(), viaSecond.ctime(), "st_ctime through the other name right after the write");
        assertArrayEquals(longer, Sys.readFile(second), "content through the other name right after the write");
    }

    @OnBothRoots
    void writeThroughOneNameIsSeenByADescriptorAlreadyOpenOnTheOther(Root root) {
        Path first = root.resolve("first");
        Path second = root.resolve("second");
        Sys.writeFile(first, Data.pattern(0, 100_000));
        Sys.link(first, second);

        try (Fd reader = Sys.open(second, O_RDONLY)) {
            reader.pread(100_000, 0);
            try (Fd writer = Sys.open(first, O_WRONLY)) {
                writer.pwrite("CHANGED".getBytes(), 50_000);
            }
            // Through libfuse2 this needs the kernel not to serve the other name from its page cache:
            // bindfs passes with -o direct_io,attr_timeout=0,entry_timeout=0 and fails without.
            assertArrayEquals("CHANGED".getBytes(), reader.pread(7, 50_000),
                    "a descriptor open (and already read) on the other name must see the new bytes");
        }
    }

    @OnBothRoots
    void chmodThroughOneNameShowsThroughTheOther(Root root) {
        Path first = root.resolve("first");
        Path second = root.resolve("second");
        Sys.touch(first);
        Sys.link(first, second);
        Sys.stat(second); // fills the kernel's attribute cache for the second name

        Sys.chmod(first, 0600);

        assertEquals(0600, Sys.stat(second).permissions(), "mode through the other name right after chmod");
    }

    @OnBothRoots
    void unlinkOfOneNameLeavesTheOtherWithALinkCountOfOne(Root root) {
        Path first = root.resolve("first");
        Path second = root.resolve("second");
        Sys.writeFile(first, "survivor");
        Sys.link(first, second);

        Sys.unlink(first);

        assertErrno(Errno.ENOENT, () -> Sys.stat(first), "stat of the unlinked name");
        assertEquals(1, Sys.stat(second).nlink(), "st_nlink of the remaining name");
        assertEquals("survivor", Sys.readString(second), "content through the remaining name");
    }

    @OnBothRoots
    void linkToADirectoryFailsWithEperm(Root root) {
        Path dir = Sys.mkdir(root.resolve("dir"));

        assertErrno(Errno.EPERM, () -> Sys.link(dir, root.resolve("dirlink")), "link to a directory");
    }

    @OnBothRoots
    void linkOverAnExistingNameFailsWithEexist(Root root) {
        Path first = root.resolve("first");
        Path taken = root.resolve("taken");
        Sys.writeFile(first, "first");
        Sys.writeFile(taken, "taken");

        assertErrno(Errno.EEXIST, () -> Sys.link(first, taken), "link over an existing name");
        assertEquals("taken", Sys.readString(taken), "the existing name must be untouched");
        assertEquals(1, Sys.stat(first).nlink(), "a failed link must not change st_nlink");
    }

    @OnBothRoots
    void linkToAMissingFileFailsWithEnoent(Root root) {
        assertErrno(Errno.ENOENT, () -> Sys.link(root.resolve("missing"), root.resolve("name")), "link to a missing file");
    }
}
