package dev.zero.conformance;

import static dev.zero.conformance.Sys.O_CREAT;
import static dev.zero.conformance.Sys.O_RDONLY;
import static dev.zero.conformance.Sys.O_WRONLY;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Which operations change which times. For atime both roots follow relatime, the Linux default
 * for mounts: a read updates atime only if atime is not newer than mtime or ctime (or is a day
 * old). The kernel leaves atime of FUSE files to the daemon (it marks their inodes S_NOATIME), so
 * Zero must apply the same rule itself.
 */
class TimeRulesTest {

    private static void readOneByte(Path file) {
        try (Fd fd = Sys.open(file, O_RDONLY)) {
            fd.read(1);
        }
    }

    @OnBothRoots
    void newFileHasAllThreeTimesSetToItsCreation(Root root) {
        Path file = root.resolve("file");

        Instant before = Instant.now();
        Sys.open(file, O_WRONLY | O_CREAT, 0644).close();
        Instant after = Instant.now();

        Stat st = Sys.stat(file);
        Times.assertBetween(before, st.atime(), after, "atime of a new file");
        Times.assertBetween(before, st.mtime(), after, "mtime of a new file");
        Times.assertBetween(before, st.ctime(), after, "ctime of a new file");
    }

    @OnBothRoots
    void writeUpdatesMtimeAndCtimeButNotAtime(Root root) {
        Path file = root.resolve("file");
        Sys.writeFile(file, "before");
        Sys.setTimes(file, Times.PAST_ATIME, Times.PAST_MTIME);
        Instant ctimeBefore = Sys.stat(file).ctime();
        Times.pause();

        Instant before = Instant.now();
        try (Fd fd = Sys.open(file, O_WRONLY)) {
            fd.write("after");
        }
        Instant after = Instant.now();

        Stat st = Sys.stat(file);
        Times.assertBetween(before, st.mtime(), after, "mtime after a write");
        Times.assertAdvanced(ctimeBefore, st.ctime(), "ctime after a write");
        assertEquals(Times.PAST_ATIME, st.atime(), "a write must not change atime");
    }

    @OnBothRoots
    void readUpdatesAtimeWhenItIsNotNewerThanMtime(Root root) {
        Path file = root.resolve("file");
        Sys.writeFile(file, "content");
        Sys.setTimes(file, Times.PAST_MTIME, Times.PAST_MTIME);

        Instant before = Instant.now();
        readOneByte(file);
        Instant after = Instant.now();

        Times.assertBetween(before, Sys.stat(file).atime(), after, "atime after a read when atime was equal to mtime (relatime)");
    }

    @OnBothRoots
    void listingADirectoryUpdatesItsAtimeWhenItIsNotNewerThanMtime(Root root) {
        Path dir = Sys.mkdir(root.resolve("dir"));
        Sys.touch(dir.resolve("entry"));
        Trees.names(dir);
        Sys.stat(dir); // the attributes cached, and the listing too where the kernel keeps it
        Sys.setTimes(dir, Times.PAST_MTIME, Times.PAST_MTIME);
        Sys.stat(dir);

        Instant before = Instant.now();
        assertEquals(List.of("entry"), Trees.names(dir));
        Instant after = Instant.now();

        Times.assertBetween(before, Sys.stat(dir).atime(), after, "atime of a directory after a listing when atime was equal to mtime (relatime)");
    }

    @OnBothRoots
    void readDoesNotUpdateAtimeAgainWhenItIsAlreadyNewerThanMtimeAndCtime(Root root) {
        Path file = root.resolve("file");
        Sys.writeFile(file, "content");
        Sys.setTimes(file, Times.PAST_MTIME, Times.PAST_MTIME);
        // utimensat set ctime; a read in the same clock tick may stamp an atime older than that
        // ctime (this kernel stamps ctime finer than atime), and then the next read updates again.
        Times.pause();
        readOneByte(file);
        Instant atimeAfterFirstRead = Sys.stat(file).atime();
        Times.pause();

        readOneByte(file);

        assertEquals(atimeAfterFirstRead, Sys.stat(file).atime(), "a second read must not change atime under relatime");
    }

    @OnBothRoots
    void readChangesNeitherMtimeNorCtime(Root root) {
        Path file = root.resolve("file");
        Sys.writeFile(file, "content");
        Sys.setTimes(file, Times.PAST_ATIME, Times.PAST_MTIME);
        Instant ctimeBefore = Sys.stat(file).ctime();
        Times.pause();

        readOneByte(file);

        Stat st = Sys.stat(file);
        assertEquals(Times.PAST_MTIME, st.mtime(), "a read must not change mtime");
        assertEquals(ctimeBefore, st.ctime(), "a read must not change ctime");
    }

    @OnBothRoots
    void createUpdatesMtimeAndCtimeOfTheParent(Root root) {
        Path dir = Sys.mkdir(root.resolve("dir"));
        Sys.setTimes(dir, Times.PAST_ATIME, Times.PAST_MTIME);
        Instant ctimeBefore = Sys.stat(dir).ctime();
        Times.pause();

        Instant before = Instant.now();
        Sys.open(dir.resolve("new"), O_WRONLY | O_CREAT, 0644).close();
        Instant after = Instant.now();

        Stat st = Sys.stat(dir);
        Times.assertBetween(before, st.mtime(), after, "mtime of the parent after a create");
        Times.assertAdvanced(ctimeBefore, st.ctime(), "ctime of the parent after a create");
    }

    @OnBothRoots
    void unlinkUpdatesMtimeAndCtimeOfTheParent(Root root) {
        Path dir = Sys.mkdir(root.resolve("dir"));
        Sys.touch(dir.resolve("doomed"));
        Sys.setTimes(dir, Times.PAST_ATIME, Times.PAST_MTIME);
        Instant ctimeBefore = Sys.stat(dir).ctime();
        Times.pause();

        Instant before = Instant.now();
        Sys.unlink(dir.resolve("doomed"));
        Instant after = Instant.now();

        Stat st = Sys.stat(dir);
        Times.assertBetween(before, st.mtime(), after, "mtime of the parent after an unlink");
        Times.assertAdvanced(ctimeBefore, st.ctime(), "ctime of the parent after an unlink");
    }

    @OnBothRoots
    void unlinkOfOneOfTwoLinksUpdatesTheCtimeOfTheFile(Root root) {
        Path file = root.resolve("file");
        Sys.touch(file);
        Sys.link(file, root.resolve("other"));
        Instant ctimeBefore = Sys.stat(file).ctime();
        Times.pause();

        Sys.unlink(root.resolve("other"));

        Times.assertAdvanced(ctimeBefore, Sys.stat(file).ctime(), "ctime of a file after one of its links was removed");
    }

    @OnBothRoots
    void renameUpdatesMtimeAndCtimeOfBothParents(Root root) {
        Path a = Sys.mkdir(root.resolve("a"));
        Path b = Sys.mkdir(root.resolve("b"));
        Sys.touch(a.resolve("file"));
        Sys.setTimes(a, Times.PAST_ATIME, Times.PAST_MTIME);
        Sys.setTimes(b, Times.PAST_ATIME, Times.PAST_MTIME);
        Instant ctimeBeforeA = Sys.stat(a).ctime();
        Instant ctimeBeforeB = Sys.stat(b).ctime();
        Times.pause();

        Instant before = Instant.now();
        Sys.rename(a.resolve("file"), b.resolve("file"));
        Instant after = Instant.now();

        Times.assertBetween(before, Sys.stat(a).mtime(), after, "mtime of the old parent after a rename");
        Times.assertBetween(before, Sys.stat(b).mtime(), after, "mtime of the new parent after a rename");
        Times.assertAdvanced(ctimeBeforeA, Sys.stat(a).ctime(), "ctime of the old parent after a rename");
        Times.assertAdvanced(ctimeBeforeB, Sys.stat(b).ctime(), "ctime of the new parent after a rename");
    }
}
