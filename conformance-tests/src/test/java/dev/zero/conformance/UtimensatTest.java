package dev.zero.conformance;

import static dev.zero.conformance.Sys.UTIME_NOW;
import static dev.zero.conformance.Sys.UTIME_OMIT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Instant;

class UtimensatTest {
    private static final long[] NOW = {0, UTIME_NOW};
    private static final long[] OMIT = {0, UTIME_OMIT};

    @OnBothRoots
    void setsAtimeAndMtimeToTheNanosecond(Root root) {
        Path file = root.resolve("file");
        Sys.touch(file);

        Sys.setTimes(file, Times.PAST_ATIME, Times.PAST_MTIME);

        Stat st = Sys.stat(file);
        assertEquals(Times.PAST_ATIME, st.atime(), "atime must be exactly the one set, nanoseconds included");
        assertEquals(Times.PAST_MTIME, st.mtime(), "mtime must be exactly the one set, nanoseconds included");
    }

    @OnBothRoots
    void keepsTimesAfter2038And2106(Root root) {
        Path file = root.resolve("file");
        Sys.touch(file);
        Instant atime = Instant.parse("2099-12-31T23:59:59.000000001Z");
        Instant mtime = Instant.parse("2200-01-01T00:00:00.999999999Z");

        Sys.setTimes(file, atime, mtime);

        Stat st = Sys.stat(file);
        assertEquals(atime, st.atime(), "an atime after 2038 must not wrap");
        assertEquals(mtime, st.mtime(), "an mtime after 2106 (past unsigned 32-bit seconds) must not wrap");
    }

    @OnBothRoots
    void utimeNowSetsBothTimesToTheCurrentTime(Root root) {
        Path file = root.resolve("file");
        Sys.touch(file);
        Sys.setTimes(file, Times.PAST_ATIME, Times.PAST_MTIME);

        Instant before = Instant.now();
        Sys.utimensat(file, NOW, NOW, 0);
        Instant after = Instant.now();

        Stat st = Sys.stat(file);
        Times.assertBetween(before, st.atime(), after, "atime after UTIME_NOW");
        Times.assertBetween(before, st.mtime(), after, "mtime after UTIME_NOW");
    }

    @OnBothRoots
    void utimeOmitLeavesThatTimeAsItWas(Root root) {
        Path file = root.resolve("file");
        Sys.touch(file);
        Sys.setTimes(file, Times.PAST_ATIME, Times.PAST_MTIME);
        Instant newTime = Instant.parse("2010-01-01T00:00:00.5Z");

        Sys.utimensat(file, OMIT, Sys.timespec(newTime), 0);
        assertEquals(Times.PAST_ATIME, Sys.stat(file).atime(), "UTIME_OMIT for atime must keep atime");
        assertEquals(newTime, Sys.stat(file).mtime(), "mtime set together with UTIME_OMIT for atime");

        Sys.utimensat(file, Sys.timespec(newTime), OMIT, 0);
        assertEquals(newTime, Sys.stat(file).atime(), "atime set together with UTIME_OMIT for mtime");
        assertEquals(newTime, Sys.stat(file).mtime(), "UTIME_OMIT for mtime must keep mtime");
    }

    @OnBothRoots
    void utimeNowForOneTimeAndOmitForTheOther(Root root) {
        Path file = root.resolve("file");
        Sys.touch(file);
        Sys.setTimes(file, Times.PAST_ATIME, Times.PAST_MTIME);

        Instant before = Instant.now();
        Sys.utimensat(file, OMIT, NOW, 0);
        Instant after = Instant.now();

        Stat st = Sys.stat(file);
        assertEquals(Times.PAST_ATIME, st.atime(), "UTIME_OMIT for atime must keep atime");
        Times.assertBetween(before, st.mtime(), after, "mtime after UTIME_NOW");
    }

    @OnBothRoots
    void settingTimesChangesCtimeToNow(Root root) {
        Path file = root.resolve("file");
        Sys.touch(file);
        Instant ctimeBefore = Sys.stat(file).ctime();
        Times.pause();

        Instant before = Instant.now();
        Sys.setTimes(file, Times.PAST_ATIME, Times.PAST_MTIME);
        Instant after = Instant.now();

        Instant ctime = Sys.stat(file).ctime();
        Times.assertAdvanced(ctimeBefore, ctime, "ctime after utimensat");
        Times.assertBetween(before, ctime, after, "ctime after utimensat (it is never set to the given times)");
    }

    @OnBothRoots
    void noFollowSetsTheTimesOfTheSymlinkItself(Root root) {
        Path target = root.resolve("target");
        Sys.touch(target);
        Sys.setTimes(target, Times.PAST_ATIME, Times.PAST_ATIME);
        Path link = root.resolve("link");
        Sys.symlink("target", link);

        Sys.utimensat(link, Sys.timespec(Times.PAST_MTIME), Sys.timespec(Times.PAST_MTIME), Sys.AT_SYMLINK_NOFOLLOW);

        assertEquals(Times.PAST_MTIME, Sys.lstat(link).mtime(), "mtime of the symlink after utimensat(AT_SYMLINK_NOFOLLOW)");
        assertEquals(Times.PAST_ATIME, Sys.stat(target).mtime(), "utimensat(AT_SYMLINK_NOFOLLOW) must not touch the target");
    }

    @OnBothRoots
    void setsTheTimesOfADirectory(Root root) {
        Path dir = Sys.mkdir(root.resolve("dir"));

        Sys.setTimes(dir, Times.PAST_ATIME, Times.PAST_MTIME);

        assertEquals(Times.PAST_ATIME, Sys.stat(dir).atime(), "atime of a directory");
        assertEquals(Times.PAST_MTIME, Sys.stat(dir).mtime(), "mtime of a directory");
    }
}
